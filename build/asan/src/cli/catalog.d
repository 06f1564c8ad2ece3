build/asan/src/cli/catalog.o: src/cli/catalog.c src/cli/cli.h \
 src/core/config.h
src/cli/cli.h:
src/core/config.h:
