build/asan/src/cli/user.o: src/cli/user.c src/cli/cli.h src/core/config.h
src/cli/cli.h:
src/core/config.h:
