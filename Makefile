# The two commands of the README. Both install what a fresh machine lacks first.
.PHONY: run test bench lighthouse

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

# Not part of `make test`: figures, not checks (docs/performance.md).
bench:
	bash scripts/bench.sh

lighthouse:
	bash scripts/lighthouse.sh
