#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include "CVipdSys.h"
#include <unistd.h>

int cvipd_enter_network_namespace(int fd) { return setns(fd, CLONE_NEWNET); }

int cvipd_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                const int *sources, const int *targets, int count, int new_session) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    int highest = 2;
    for (int index = 0; index < count; index++) {
        posix_spawn_file_actions_adddup2(&actions, sources[index], targets[index]);
        if (targets[index] > highest) highest = targets[index];
    }
    posix_spawn_file_actions_addclosefrom_np(&actions, highest + 1);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t signals;
    sigemptyset(&signals);
    posix_spawnattr_setsigmask(&attributes, &signals);
    sigfillset(&signals);
    posix_spawnattr_setsigdefault(&attributes, &signals);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (new_session) flags |= POSIX_SPAWN_SETSID;
    posix_spawnattr_setflags(&attributes, flags);
    int status = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return status;
}

#include <string.h>
#include <sys/uio.h>

ssize_t cvipd_send_with_fds(int socket, const void *data, size_t length, const int *fds, int count) {
    if (count < 0 || count > 8) return -1;
    struct iovec vector = { .iov_base = (void *)data, .iov_len = length };
    union { char bytes[CMSG_SPACE(8 * sizeof(int))]; struct cmsghdr align; } control;
    memset(&control, 0, sizeof(control));
    struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1 };
    if (count > 0) {
        message.msg_control = control.bytes;
        message.msg_controllen = CMSG_SPACE(count * sizeof(int));
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(count * sizeof(int));
        memcpy(CMSG_DATA(header), fds, count * sizeof(int));
    }
    return sendmsg(socket, &message, MSG_NOSIGNAL);
}

ssize_t cvipd_receive_with_fds(int socket, void *buffer, size_t capacity, int *fds, int maximum, int *received) {
    *received = 0;
    if (maximum < 0 || maximum > 8) return -1;
    struct iovec vector = { .iov_base = buffer, .iov_len = capacity };
    union { char bytes[CMSG_SPACE(8 * sizeof(int))]; struct cmsghdr align; } control;
    struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1, .msg_control = control.bytes, .msg_controllen = sizeof(control.bytes) };
    ssize_t length = recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
    if (length < 0) return length;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        int count = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int index = 0; index < count; index++) {
            int fd;
            memcpy(&fd, CMSG_DATA(header) + index * sizeof(int), sizeof(int));
            if (*received < maximum) fds[(*received)++] = fd; else close(fd);
        }
    }
    return length;
}

int cvipd_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}
