# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= tm.db
SEED := examples/factor-reform-2025.zh-en.txt
NEXT := examples/changzhutan-action-plan.zh.txt

.PHONY: install run test test-fast tm-db shipped-tm en-model lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	# Bytecode for every module, as pip writes it for an installed package: an
	# editable install has none, and where PYTHONDONTWRITEBYTECODE is set each tm
	# process (an import's workers, every CLI call) would compile its modules again.
	$(BIN)/python -m compileall -q src
	touch $@

install: $(BIN)/.installed

# Build the TM from examples/ into the default database (idempotent: re-importing adds nothing).
tm-db: install
	$(BIN)/tm import $(SEED) --db $(DB)

# The main job: the TUI in document mode on the next document, with the seed TM and glossary.
run: tm-db
	@if $(BIN)/tm tui --help >/dev/null 2>&1; then \
		$(BIN)/tm tui --db $(DB) $(NEXT); \
	else \
		$(BIN)/tm stats --db $(DB); \
	fi
	@echo "next: . $(BIN)/activate (puts tm on PATH), then tm lookup TEXT · tm qa ·" \
		"tm analyze $(NEXT) · tm --help; the README's tour shows each"

# The README's test command; CI runs it: the whole suite (slow, PostgreSQL and peer tests
# included) on TEST_JOBS pytest-xdist workers. .ci/with-postgres starts a throwaway
# PostgreSQL for the run when the server is installed (and TM_TEST_POSTGRES_DSN is unset).
# The summary's last lines name any group that skipped and how to enable it.
# One test at a time to each free worker, the slow ones first (tests/conftest.py).
TEST_JOBS ?= 3
PYTEST_PARALLEL := $(BIN)/pytest -n $(TEST_JOBS) --dist load --maxschedchunk 1

test: install
	bash .ci/with-postgres $(PYTEST_PARALLEL)

# The same without the slow tests (crash, fuzzing, 100k-unit imports): for developers.
test-fast: install
	bash .ci/with-postgres $(PYTEST_PARALLEL) -m "not slow"

# Regenerate the TMX files the project ships from the seed.
shipped-tm: install
	rm -f build/shipped.db
	mkdir -p build
	$(BIN)/tm import $(SEED) --db build/shipped.db
	$(BIN)/tm export --db build/shipped.db --segtype paragraph -o tmx/factor-reform-2025.paragraphs.zh-en.tmx
	@if $(BIN)/tm stats --db build/shipped.db --json | grep -q '"sentence"'; then \
		$(BIN)/tm export --db build/shipped.db --segtype sentence -o tmx/factor-reform-2025.zh-en.tmx; \
	else \
		cp tmx/factor-reform-2025.paragraphs.zh-en.tmx tmx/factor-reform-2025.zh-en.tmx; \
	fi

# Train the English SentencePiece model that benchmarks/bench_tokens.py measures, from
# ../shared/corpora (reproducible: the same corpora give the same bytes).
en-model: install
	$(BIN)/python benchmarks/train_en_pieces.py

# ruff (lint and format), mypy (strict), import-linter (the layers), all configured in
# pyproject.toml; CI runs it.
lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build .pytest_cache
