// Attendance sheet: "全部出席" marks every editable row present; the recorder then changes the exceptions.
// Without JavaScript the button stays hidden and each row is chosen by hand.
(function () {
  "use strict";
  var sheet = document.querySelector("[data-attendance]");
  if (!sheet) return;
  var button = sheet.querySelector("[data-all-present]");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    sheet.querySelectorAll('input[type=radio][value="present"]').forEach(function (radio) {
      var row = radio.closest(".att-row");
      // Rows already recorded keep their status: only the empty ones are filled.
      if (row && !row.querySelector("input[type=radio]:checked")) radio.checked = true;
    });
  });
})();
