# Thin wrappers over the README's commands.
UV := python3 -m uv

.PHONY: install run test test-fast check ui docs lint generate

install:
	python3 -m pip install -q uv && $(UV) sync --locked

run:
	python3 -m pip install -q uv && $(UV) run --locked customer-truth run

test:
	python3 -m pip install -q uv && $(UV) run --locked pytest

# the suite without the integration tests (each runs the whole job): a few minutes
test-fast:
	$(UV) run --locked pytest -m "not integration"

# what CI runs before the tests: ruff, format, mypy, dbt parse (.ci/checks)
check:
	.ci/checks

ui:
	$(UV) run --locked customer-truth ui

# the dbt docs and the GX Data Docs of the home, served on 127.0.0.1 (the URL carries a token)
docs:
	$(UV) run --locked customer-truth docs

lint:
	$(UV) run --locked ruff check . && $(UV) run --locked ruff format --check .

generate:
	$(UV) run --locked customer-truth generate --persons 2000 --seed 7 --out /tmp/customer-truth-world
