# captrace: the two commands that matter are `make demo` and `make check`.
GO      ?= go
CC      ?= gcc
BIN     := bin/captrace
# The debuginfod download helper, installed beside captrace
# (internal/debuginfod says why it is a program of its own).
HELPER   = $(dir $(BIN))captrace-debuginfod
VICTIMS := build/victims
SRC     := testdata/victims
export CGO_ENABLED ?= 0
# make install: PREFIX and DESTDIR as in every other package.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man

.PHONY: all build victims test check vet fmt-check man-lint cross demo screenshot bench fuzz deps install uninstall clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/captrace
	$(GO) build -o $(HELPER) ./cmd/captrace-debuginfod

# Every C victim at -O0 and at -O2 without frame pointers, plus a stripped
# copy; the Go victim. Tests compile their own copies the same way.
victims:
	@mkdir -p $(VICTIMS)
	@for src in $(SRC)/*.c; do \
		name=$$(basename $$src .c); \
		$(CC) -O0 -g -pthread -o $(VICTIMS)/$$name-O0 $$src || exit 1; \
		$(CC) -O2 -g -fomit-frame-pointer -pthread -o $(VICTIMS)/$$name-O2 $$src || exit 1; \
		strip -o $(VICTIMS)/$$name-stripped $(VICTIMS)/$$name-O2 || exit 1; \
	done
	$(GO) build -o $(VICTIMS)/goviolate ./$(SRC)/goviolate
	@echo "victims in $(VICTIMS)/"

# Tools the tests need beyond Go and gcc, installed when missing.
deps:
	@./.ci/deps

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# The manual page must be clean mdoc: no error, no warning.
man-lint:
	mandoc -T lint -W warning captrace.1

# The FreeBSD backend cannot run here; it must build and vet clean.
cross:
	GOOS=freebsd GOARCH=amd64 $(GO) vet ./...
	GOOS=freebsd GOARCH=amd64 $(GO) build -o /dev/null ./cmd/captrace
	GOOS=freebsd GOARCH=amd64 $(GO) build -o /dev/null ./cmd/captrace-debuginfod

test:
	$(GO) test -count=1 -timeout 15m ./...

check: deps fmt-check vet man-lint cross test

demo: build
	@rm -rf build/demo && mkdir -p build/demo $(VICTIMS)
	@$(CC) -O2 -g -fomit-frame-pointer -o $(VICTIMS)/minstrip-O2 $(SRC)/minstrip.c
	@cp $(VICTIMS)/minstrip-O2 build/demo/input.bin
	@echo '$$ captrace -- build/victims/minstrip-O2 build/demo/input.bin'
	@$(BIN) -- $(VICTIMS)/minstrip-O2 build/demo/input.bin

# The README's picture of an HTML report, docs/report.png: the rules victim
# traced, its page shot in headless Chromium (make deps installs it).
screenshot: build
	@rm -rf build/screenshot && mkdir -p build/screenshot/d/sub $(VICTIMS)
	@echo x > build/screenshot/d/f
	@$(CC) -O0 -g -pthread -o $(VICTIMS)/rules-O0 $(SRC)/rules.c
	$(BIN) -o build/screenshot/report.html -- $(VICTIMS)/rules-O0 build/screenshot/d
	$(GO) run ./internal/reportshot build/screenshot/report.html docs/report.png

# Every Fuzz* target in the module for FUZZTIME each (make check runs only
# their seed corpora).
FUZZTIME ?= 60s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

# Not part of check: a few minutes; the table goes in docs/performance.md.
# BENCHFLAGS: benchrun flags, e.g. -reps=3 -mem=10000,100000.
bench: build
	./scripts/bench.sh $(BENCHFLAGS)

install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/captrace
	install -m 0755 $(HELPER) $(DESTDIR)$(BINDIR)/captrace-debuginfod
	install -m 0644 captrace.1 $(DESTDIR)$(MANDIR)/man1/captrace.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/captrace $(DESTDIR)$(BINDIR)/captrace-debuginfod $(DESTDIR)$(MANDIR)/man1/captrace.1

clean:
	rm -rf bin build
