#define _GNU_SOURCE
#include <sched.h>
#include "CVipdSys.h"

int cvipd_enter_network_namespace(int fd) { return setns(fd, CLONE_NEWNET); }
