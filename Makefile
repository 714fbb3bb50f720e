# Two commands for a new user: `make run` (demo server) and `make test` (the whole suite).
SHELL := /bin/bash
UV = $(shell cat .venv/.uv-path 2>/dev/null || echo uv)
PYTEST_ARGS ?=

.PHONY: run test setup test-setup lint check-deploy

setup:
	@scripts/setup.sh

test-setup:
	@scripts/setup.sh --test

.env:
	@printf 'DJANGO_DEBUG=true\nSECRET_KEY=%s\n' "$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "[setup] wrote .env (development settings for this machine; not used by tests or production)"

run: setup .env
	@$(UV) run python manage.py migrate --no-input -v0
	@$(UV) run python manage.py seed_demo
	@echo "在浏览器打开 http://127.0.0.1:8000/ ，用上面的演示账号登录。Ctrl+C 停止。"
	@$(UV) run python manage.py runserver 127.0.0.1:8000

test: test-setup
	@$(UV) run pytest -n 2 $(PYTEST_ARGS)

lint: setup
	@$(UV) run ruff check .
