build/asan/src/cli/token.o: src/cli/token.c src/cli/cli.h \
 src/core/config.h
src/cli/cli.h:
src/core/config.h:
