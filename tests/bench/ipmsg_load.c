/*
 * ipmsg_load: a small IP Messenger load generator, a raw IPMsg responder and a durable-write floor, for comparing
 * Pigeon's console with iptux and with what the machine itself does (issue 9, point 6).
 *
 *   ipmsg_load send FROM_ADDR FROM_PORT TO_ADDR TO_PORT SIZE N W FIRST
 *       announces itself (BR_ENTRY), then sends N SENDMSG|SENDCHECKOPT messages of SIZE bytes of text with at most
 *       W unacknowledged, numbered FIRST, FIRST+1, ... (a receiver takes a number it has seen for a duplicate, so
 *       the caller gives each run new ones; iptux keeps them in 32 bits, so FIRST+N stays below 2^31); a message counts when its RECVMSG (extension: its packet number) arrives. A message not
 *       acknowledged within 500 ms is sent again under the same number (as IP Messenger does). Prints
 *       per_s=ACKED/s p50_us=.. p99_us=.. (first send -> first ack of each message) resent=..
 *   ipmsg_load respond ADDR PORT SECONDS
 *       the raw responder: answers every SENDMSG that asks for it with RECVMSG at once and BR_ENTRY with
 *       ANSENTRY, storing nothing; stops after SECONDS.
 *   ipmsg_load fsync DIR N
 *       N times: overwrite one 4 KiB page of a file in DIR and fdatasync it; prints p50_us=.. p99_us=.. (one
 *       durable page write on that disk, which is what a commit in synchronous=FULL costs at least).
 *
 * Packets follow IP Messenger's "version:packetNo:user:host:command:extension" (ipmsg.com protocol document;
 * core/wire/ipmsg.h). Every loop is bounded in count and time; addresses are what the caller gives (the benchmark
 * uses 127.0.0.x inside a private network namespace).
 *
 * Build: cc -O2 -o ipmsg_load ipmsg_load.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { BrEntry = 0x01, AnsEntry = 0x03, SendMsg = 0x20, RecvMsg = 0x21, SendCheckOpt = 0x100, Utf8Opt = 0x800000 };
enum { ResendUs = 500000, FirstAckUs = 10000000, MaxSeconds = 300 }; /* us, us, s */

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static struct sockaddr_in address(const char* host, const char* port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)atoi(port));
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        fprintf(stderr, "ipmsg_load: not an IPv4 address: %s\n", host);
        exit(2);
    }
    return a;
}

static int bound_socket(struct sockaddr_in* a)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int buf = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    if (fd < 0 || bind(fd, (struct sockaddr*)a, sizeof *a) < 0) {
        perror("ipmsg_load: bind");
        exit(2);
    }
    return fd;
}

/* Splits "1:no:user:host:command:extension"; returns 0 unless it has all six fields. */
static int parse(char* packet, unsigned long long* no, unsigned long* command, char** extension)
{
    char* field[5];
    char* p = packet;
    for (int i = 0; i < 5; ++i) {
        field[i] = p;
        p = strchr(p, ':');
        if (!p)
            return 0;
        *p++ = '\0';
    }
    *no = strtoull(field[1], NULL, 10);
    *command = strtoul(field[4], NULL, 10);
    *extension = p;
    return 1;
}

static int cmp_double(const void* a, const void* b)
{
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

static int run_send(char** argv)
{
    struct sockaddr_in from = address(argv[0], argv[1]), to = address(argv[2], argv[3]);
    const int size = atoi(argv[4]);
    const long n = atol(argv[5]), w = atol(argv[6]);
    if (size < 8 || size > 8000 || n < 1 || w < 1 || strtoull(argv[7], NULL, 10) + (unsigned long long)n >= 1ull << 31) {
        fprintf(stderr, "ipmsg_load: SIZE 8..8000, N and W at least 1, FIRST+N below 2^31\n");
        return 2;
    }
    const int fd = bound_socket(&from);
    const unsigned long long base = strtoull(argv[7], NULL, 10);
    double* sent = calloc((size_t)n, sizeof *sent);    /* first send, us; 0: not yet */
    double* last = calloc((size_t)n, sizeof *last);    /* last send, us */
    double* rtt = calloc((size_t)n, sizeof *rtt);      /* first send -> first ack, us; 0: not acked */
    char* text = malloc((size_t)size + 1);
    memset(text, 'x', (size_t)size);
    text[size] = '\0';
    char packet[9000], in[65536];

    /* Announce ourselves, as a client does at start, and give the peer a moment to answer. */
    int len = snprintf(packet, sizeof packet, "1:%llu:load:loadbox:%d:load", base + (unsigned long long)n, BrEntry | Utf8Opt);
    sendto(fd, packet, (size_t)len, 0, (struct sockaddr*)&to, sizeof to);
    struct pollfd pfd = {fd, POLLIN, 0};
    if (poll(&pfd, 1, 1000) > 0)
        recv(fd, in, sizeof in, 0);

    long next = 0, acked = 0, resent = 0, inflight = 0, oldest = 0;
    const double start = now_us();
    while (acked < n && now_us() - start < MaxSeconds * 1e6 && (acked > 0 || now_us() - start < FirstAckUs)) {
        while (next < n && inflight < w) {
            len = snprintf(packet, sizeof packet, "1:%llu:load:loadbox:%d:%s", base + (unsigned long long)next,
                           SendMsg | SendCheckOpt | Utf8Opt, text);
            sent[next] = last[next] = now_us();
            sendto(fd, packet, (size_t)len, 0, (struct sockaddr*)&to, sizeof to);
            ++next;
            ++inflight;
        }
        if (poll(&pfd, 1, 100) > 0) {
            for (;;) {
                ssize_t r = recv(fd, in, sizeof in - 1, MSG_DONTWAIT);
                if (r <= 0)
                    break;
                in[r] = '\0';
                unsigned long long no;
                unsigned long command;
                char* extension;
                if (!parse(in, &no, &command, &extension) || (command & 0xff) != RecvMsg)
                    continue;
                const unsigned long long ackedNo = strtoull(extension, NULL, 10);
                if (ackedNo < base || ackedNo >= base + (unsigned long long)next)
                    continue;
                const long i = (long)(ackedNo - base);
                if (rtt[i] == 0) {
                    rtt[i] = now_us() - sent[i];
                    ++acked;
                    --inflight;
                }
            }
        }
        /* Resend what waited too long (a datagram lost in a full socket buffer). */
        const double t = now_us();
        while (oldest < next && rtt[oldest] != 0)
            ++oldest;
        for (long i = oldest; i < next; ++i) {
            if (rtt[i] == 0 && t - last[i] > ResendUs) {
                len = snprintf(packet, sizeof packet, "1:%llu:load:loadbox:%d:%s", base + (unsigned long long)i,
                               SendMsg | SendCheckOpt | Utf8Opt, text);
                sendto(fd, packet, (size_t)len, 0, (struct sockaddr*)&to, sizeof to);
                last[i] = t;
                ++resent;
            }
        }
    }
    const double secs = (now_us() - start) / 1e6;
    if (acked < n) {
        fprintf(stderr, "ipmsg_load: only %ld of %ld messages acknowledged in %.0f s\n", acked, n, secs);
        return 1;
    }
    qsort(rtt, (size_t)n, sizeof *rtt, cmp_double);
    printf("mode=send size=%d n=%ld w=%ld per_s=%.0f p50_us=%.1f p99_us=%.1f resent=%ld\n", size, n, w, n / secs,
           rtt[n / 2], rtt[(n * 99) / 100], resent);
    return 0;
}

static int run_respond(char** argv)
{
    struct sockaddr_in self = address(argv[0], argv[1]);
    const double seconds = atof(argv[2]);
    const int fd = bound_socket(&self);
    char in[65536], out[512];
    const double start = now_us();
    unsigned long long no_out = 1;
    while (now_us() - start < seconds * 1e6) {
        struct pollfd pfd = {fd, POLLIN, 0};
        if (poll(&pfd, 1, 200) <= 0)
            continue;
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t r = recvfrom(fd, in, sizeof in - 1, 0, (struct sockaddr*)&from, &fl);
        if (r <= 0)
            continue;
        in[r] = '\0';
        unsigned long long no;
        unsigned long command;
        char* extension;
        if (!parse(in, &no, &command, &extension))
            continue;
        int len = 0;
        if ((command & 0xff) == SendMsg && (command & SendCheckOpt))
            len = snprintf(out, sizeof out, "1:%llu:raw:rawbox:%d:%llu", no_out++, RecvMsg, no);
        else if ((command & 0xff) == BrEntry)
            len = snprintf(out, sizeof out, "1:%llu:raw:rawbox:%d:raw", no_out++, AnsEntry);
        if (len > 0)
            sendto(fd, out, (size_t)len, 0, (struct sockaddr*)&from, fl);
    }
    return 0;
}

static int run_fsync(char** argv)
{
    const long n = atol(argv[1]);
    char path[4096];
    snprintf(path, sizeof path, "%s/ipmsg_load-fsync-XXXXXX", argv[0]);
    const int fd = mkstemp(path);
    if (fd < 0 || n < 1) {
        perror("ipmsg_load: fsync file");
        return 2;
    }
    unlink(path);
    char page[4096];
    memset(page, 'p', sizeof page);
    if (pwrite(fd, page, sizeof page, 0) != (ssize_t)sizeof page || fsync(fd) != 0) {
        perror("ipmsg_load: write");
        return 2;
    }
    double* t = calloc((size_t)n, sizeof *t);
    for (long i = 0; i < n; ++i) {
        page[0] = (char)i;
        const double s = now_us();
        if (pwrite(fd, page, sizeof page, 0) != (ssize_t)sizeof page || fdatasync(fd) != 0) {
            perror("ipmsg_load: fdatasync");
            return 2;
        }
        t[i] = now_us() - s;
    }
    close(fd);
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    printf("mode=fsync n=%ld p50_us=%.1f p99_us=%.1f\n", n, t[n / 2], t[(n * 99) / 100]);
    return 0;
}

int main(int argc, char** argv)
{
    if (argc == 10 && !strcmp(argv[1], "send"))
        return run_send(argv + 2);
    if (argc == 5 && !strcmp(argv[1], "respond"))
        return run_respond(argv + 2);
    if (argc == 4 && !strcmp(argv[1], "fsync"))
        return run_fsync(argv + 2);
    fprintf(stderr, "usage: ipmsg_load send FROM_ADDR FROM_PORT TO_ADDR TO_PORT SIZE N W FIRST\n"
                    "       ipmsg_load respond ADDR PORT SECONDS\n"
                    "       ipmsg_load fsync DIR N\n");
    return 2;
}
