# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
JARS := .cache/jars
DELTA_VERSION := 4.4.0
DELTA_ARTIFACTS := io.delta:delta-spark_4.2_2.13:$(DELTA_VERSION) io.delta:delta-storage:$(DELTA_VERSION)

.PHONY: setup demo test clean

setup: $(VENV)/.installed $(JARS)/.fetched

$(VENV)/.installed: python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# compat mode puts python/ on sys.path, so dbt can discover the dbt_recwh plugin module
	$(BIN)/pip install -q -e "python[test]" --config-settings editable_mode=compat
	touch $@

# Delta's jars are in no wheel: fetch them once from Maven Central into a project-local cache.
$(JARS)/.fetched:
	mkdir -p $(JARS)
	for artifact in $(DELTA_ARTIFACTS); do \
	  mvn -q -B dependency:copy -Dartifact=$$artifact -DoutputDirectory=$(JARS) \
	    -Dmaven.repo.local=$(CURDIR)/.cache/m2 || exit 1; \
	done
	touch $@

demo: setup
	$(BIN)/recwh demo --users 500 --items 300 --seed 7
	$(BIN)/recwh run
	$(BIN)/recwh recommend u00001

# Two pytest workers, a test module each at a time (the modules on tiny_warehouse as one unit,
# see tests/conftest.py): most of a small Spark job is driver-side latency (planning, Delta
# commits, the metastore), so two sessions overlap well on 2 cores. The two longest units, the
# end-to-end module and the tiny_warehouse modules, start first, one per worker.
test: setup
	$(BIN)/pytest tests -n 2 --dist loadfile --durations=15

clean:
	rm -rf warehouse target logs
