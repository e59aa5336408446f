/* The bare spawn the benches measure seedgate against: N runs of a program,
 * one after another, each started with posix_spawn (vfork and exec in glibc)
 * and waited for, with nothing else done.
 *
 *   spawn_loop N PROGRAM
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char** environ;

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: spawn_loop N PROGRAM\n");
    return 2;
  }
  long runs = strtol(argv[1], NULL, 10);
  char* args[] = {argv[2], NULL};
  for (long i = 0; i < runs; ++i) {
    pid_t pid = 0;
    int status = 0;
    if (posix_spawn(&pid, argv[2], NULL, NULL, args, environ) != 0 || waitpid(pid, &status, 0) != pid ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "spawn_loop: run %ld of %s failed\n", i, argv[2]);
      return 1;
    }
  }
  return 0;
}
