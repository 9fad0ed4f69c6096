/* usrsctp alone, without Python: the heap corruption that aborting an
   association with messages queued brings (docs/sctpx.rst), which
   tools/usrsctp_stress.py therefore avoids.

   Each round connects two sockets over UDP encapsulation on loopback; a
   thread floods one of them while the main thread closes its peer with data
   still unread -- usrsctp, as FreeBSD, turns that close into an ABORT -- and
   the flooding socket is closed only once its thread has ended, so no call
   is ever in flight on a closed socket.  With usrsctp 0.9.5.0 a run of a few
   thousand rounds dies in malloc or free ("unaligned chunk detected in
   tcache", "corrupted double-linked list") or of SIGSEGV.

       cc -O1 -g -o /tmp/usrsctp_abort tools/usrsctp_abort.c -lusrsctp -lpthread
       /tmp/usrsctp_abort UDP_PORT ROUNDS        (UDP_PORT: any free port)
*/
#include <usrsctp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct socket *c;
static char big[60000];
static int ends[200];

static void *flood(void *arg) {
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        ssize_t n = usrsctp_sendv(c, big, sizeof big, NULL, 0, NULL, 0, SCTP_SENDV_NOINFO, 0);
        if (n < 0) {
            if (errno == EWOULDBLOCK) { usleep(5000); continue; }
            if (errno < 200) ends[errno]++;
            return NULL;
        }
    }
    ends[0]++;
    return NULL;
}

static struct sockaddr_in sin4(const char *host, int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, host, &a.sin_addr);
    return a;
}

int main(int argc, char **argv) {
    int udp = atoi(argv[1]), rounds = atoi(argv[2]);
    srand(1);
    usrsctp_init(udp, NULL, NULL);
    usrsctp_sysctl_set_sctp_rto_max_default(1000);
    usrsctp_sysctl_set_sctp_shutdown_guard_time_default(2);
    struct socket *server = usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
    struct sockaddr_in a = sin4("127.0.0.1", 5203);
    if (usrsctp_bind(server, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
    usrsctp_listen(server, 16);
    usrsctp_set_non_blocking(server, 1);
    for (int r = 0; r < rounds; r++) {
        c = usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
        struct sockaddr_in local = sin4("127.0.0.1", 0);
        usrsctp_bind(c, (struct sockaddr *)&local, sizeof local);
        struct sctp_udpencaps encaps;
        memset(&encaps, 0, sizeof encaps);
        encaps.sue_address.ss_family = AF_INET;
        encaps.sue_port = htons(udp);
        usrsctp_setsockopt(c, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &encaps, sizeof encaps);
        usrsctp_set_non_blocking(c, 1);
        if (usrsctp_connect(c, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) { perror("connect"); return 1; }
        struct socket *peer = NULL;
        for (int i = 0; i < 1000 && !peer; i++) {
            peer = usrsctp_accept(server, NULL, NULL);
            if (!peer) usleep(5000);
        }
        if (!peer) { printf("round %d: no association in 5 s\n", r); usrsctp_close(c); continue; }
        usrsctp_set_non_blocking(peer, 1);
        pthread_t t;
        pthread_create(&t, NULL, flood, NULL);
        usleep(rand() % 20000);
        usrsctp_close(peer); /* unread data: ABORT */
        pthread_join(t, NULL);
        usrsctp_close(c);
        if (r % 200 == 0) { printf("round %d ECONNRESET %d ENOTCONN %d unended %d\n", r, ends[ECONNRESET], ends[ENOTCONN], ends[0]); fflush(stdout); }
    }
    usrsctp_close(server);
    for (int i = 0; i < 300 && usrsctp_finish() != 0; i++) usleep(10000);
    printf("done ECONNRESET %d EPIPE %d EINVAL %d ENOTCONN %d unended %d\n", ends[ECONNRESET], ends[EPIPE], ends[EINVAL], ends[ENOTCONN], ends[0]);
    return 0;
}
