build/asan/src/cli/migrate.o: src/cli/migrate.c src/cli/cli.h \
 src/core/config.h
src/cli/cli.h:
src/core/config.h:
