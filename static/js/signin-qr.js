// Sign-in screen: fetch a fresh QR code every 30 seconds (the code encodes a token for the current
// 30-second slot). No library: the server renders the SVG.
(function () {
  "use strict";
  var box = document.querySelector("[data-qr]");
  if (!box || !window.fetch) return;
  var src = box.getAttribute("data-src");
  var every = parseInt(box.getAttribute("data-refresh-ms"), 10) || 30000;

  function refresh() {
    fetch(src, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.text().then(function (body) {
          if (response.ok) {
            box.innerHTML = body;
          } else if (response.status === 409) {
            box.innerHTML = "";
            var p = document.createElement("p");
            p.className = "notice";
            p.textContent = body;
            box.appendChild(p);
          }
          // Other failures (network, logged out) keep the last code on screen.
        });
      })
      .catch(function () {});
  }

  // Start on the next slot boundary so the code changes when the token does.
  var wait = every - (Date.now() % every) + 200;
  setTimeout(function () {
    refresh();
    setInterval(refresh, every);
  }, wait);
})();
