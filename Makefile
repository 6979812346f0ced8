# Touchstone: the two commands are `make run` and `make test` (see README.md).
.PHONY: run test bench db-up db-down migrate fmt build failover-test

run:
	deploy/local/run.sh

test:
	deploy/local/test.sh

build:
	swift build

# Benchmarks (not tests): each figure is printed beside its raw PostgreSQL
# baseline measured in the same run.
bench:
	deploy/local/postgres.sh install
	swift build -c release --product Bench --scratch-path .build-release
	swift build -c release --product touchstone --scratch-path .build-release
	.build-release/release/Bench
	deploy/local/bench-http.sh

# A failover under load with pg_auto_failover on this machine (not part of `make test`).
failover-test:
	deploy/local/failover-test.sh

db-up:
	@deploy/local/postgres.sh up

db-down:
	deploy/local/postgres.sh down

migrate:
	DATABASE_URL="$${DATABASE_URL:-$$(deploy/local/postgres.sh up)}" swift run touchstone migrate

fmt:
	swift format --in-place --configuration .swift-format --recursive Sources Tests Package.swift
