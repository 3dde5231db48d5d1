# Thin wrappers over the README's commands.
UV := python3 -m uv

.PHONY: install run test ui lint generate

install:
	python3 -m pip install -q uv && $(UV) sync --locked

run:
	python3 -m pip install -q uv && $(UV) run --locked customer-truth run

test:
	python3 -m pip install -q uv && $(UV) run --locked pytest

ui:
	$(UV) run --locked customer-truth ui

lint:
	$(UV) run --locked ruff check . && $(UV) run --locked ruff format --check . && $(UV) run --locked mypy

generate:
	$(UV) run --locked customer-truth generate --persons 2000 --seed 7 --out /tmp/customer-truth-world
