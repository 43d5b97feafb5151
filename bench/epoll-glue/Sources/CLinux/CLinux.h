// What Swift's Glibc module leaves out and epoll-glue needs: epoll, and accept4 (declared by glibc only
// under _GNU_SOURCE).
#include <sys/epoll.h>
#include <sys/socket.h>

extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
