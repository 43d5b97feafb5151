#ifndef CVIPDSYS_H
#define CVIPDSYS_H
// Kernel and C library interfaces Swift's Glibc module does not bring in (malloc_trim, epoll, accept4), and the cmsg
// macros Swift cannot import.

#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <net/if.h>
// After <net/if.h>: linux/libc-compat.h then adds only what glibc lacks (IFF_LOWER_UP, IF_OPER_*).
#include <linux/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <malloc.h>
#include <sys/epoll.h>
#include <netinet/tcp.h>

/// accept4(2), which glibc declares only under _GNU_SOURCE.
int cvipd_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

static inline struct cmsghdr *cvipd_cmsg_firsthdr(struct msghdr *msg) { return CMSG_FIRSTHDR(msg); }
static inline struct cmsghdr *cvipd_cmsg_nxthdr(struct msghdr *msg, struct cmsghdr *cmsg) { return CMSG_NXTHDR(msg, cmsg); }
static inline unsigned char *cvipd_cmsg_data(struct cmsghdr *cmsg) { return CMSG_DATA(cmsg); }
static inline size_t cvipd_cmsg_space(size_t length) { return CMSG_SPACE(length); }
static inline size_t cvipd_cmsg_len(size_t length) { return CMSG_LEN(length); }

/// setns(fd, CLONE_NEWNET) for the calling thread (needs _GNU_SOURCE, defined in the .c file).
int cvipd_enter_network_namespace(int fd);

#include <spawn.h>

/// posix_spawn of `path` whose child gets `sources[i]` as descriptor `targets[i]` and nothing else
/// (every descriptor from the highest target + 1 up is closed, glibc 2.34+), an empty signal mask,
/// default dispositions for every signal, and with `new_session` a session of its own (setsid).
/// Returns 0 with `*pid` set, or an errno value.
int cvipd_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                const int *sources, const int *targets, int count, int new_session);

/// Sends `length` bytes of `data` and `count` file descriptors (SCM_RIGHTS, at most 8) in one
/// message on a unix stream socket; returns the bytes sent or -1 with errno.
ssize_t cvipd_send_with_fds(int socket, const void *data, size_t length, const int *fds, int count);

/// Receives one message of at most `capacity` bytes and up to `maximum` (at most 8) file descriptors,
/// which arrive close-on-exec; `received` gets their number. Returns the bytes read (0 at the end)
/// or -1 with errno.
ssize_t cvipd_receive_with_fds(int socket, void *buffer, size_t capacity, int *fds, int maximum, int *received);

#endif
