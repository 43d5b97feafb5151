#ifndef CVIPDSYS_H
#define CVIPDSYS_H
// Kernel interfaces Swift's Glibc module does not bring in, and the cmsg macros Swift cannot import.

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

static inline struct cmsghdr *cvipd_cmsg_firsthdr(struct msghdr *msg) { return CMSG_FIRSTHDR(msg); }
static inline struct cmsghdr *cvipd_cmsg_nxthdr(struct msghdr *msg, struct cmsghdr *cmsg) { return CMSG_NXTHDR(msg, cmsg); }
static inline unsigned char *cvipd_cmsg_data(struct cmsghdr *cmsg) { return CMSG_DATA(cmsg); }
static inline size_t cvipd_cmsg_space(size_t length) { return CMSG_SPACE(length); }
static inline size_t cvipd_cmsg_len(size_t length) { return CMSG_LEN(length); }

/// setns(fd, CLONE_NEWNET) for the calling thread (needs _GNU_SOURCE, defined in the .c file).
int cvipd_enter_network_namespace(int fd);

#endif
