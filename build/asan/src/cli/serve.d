build/asan/src/cli/serve.o: src/cli/serve.c src/cli/cli.h \
 src/core/config.h
src/cli/cli.h:
src/core/config.h:
