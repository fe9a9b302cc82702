// What end-to-end encryption costs per message, in CPU time: libsodium's seal and open (core/crypto/channel.h) of
// the datagrams one acknowledged message takes between two Pigeons, both sides in this one process. No socket.
//
//   pigeon_bench_crypto SIZE N    N messages of SIZE bytes of text: prints
//     message_us   seal + open of the SENDMSG datagram, per message (CPU microseconds)
//     acked_us     the same plus seal + open of its RECVMSG acknowledgement: what encryption adds to one acked
//                  message, both processes together (compare with cpu_us_SIZE of run.sh)

#include "benchutil.h"

#include "channel.h"
#include "handshake.h"
#include "ipmsg.h"
#include "keystore.h"

#include <QCoreApplication>

#include <memory>

namespace {

constexpr qint64 DeadlineMs = 120'000;

qint64 argNumber(const QStringList& args, int i)
{
    bool ok = false;
    const qint64 n = args.value(i).toLongLong(&ok);
    if (!ok || n <= 0)
        bench::fail("usage: pigeon_bench_crypto SIZE N (positive numbers)");
    return n;
}

QByteArray datagram(quint64 packetNo, quint32 command, const QByteArray& extension)
{
    ipmsg::Packet p;
    p.version = "1_pigeon " PIGEON_VERSION;
    p.packetNo = packetNo;
    p.user = "bench";
    p.host = "bench-host";
    p.command = command;
    p.extension = extension;
    return ipmsg::encode(p);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    const qint64 size = argNumber(args, 1);
    const qint64 count = argNumber(args, 2);

    QTemporaryDir dirs[2];
    KeyStore identities[2];
    std::unique_ptr<crypto::Handshake> runs[2];
    for (int i = 0; i < 2; ++i) {
        if (!dirs[i].isValid() || !identities[i].open(dirs[i].path()))
            bench::fail("cannot make an identity: " + identities[i].error().toUtf8());
        runs[i] = std::make_unique<crypto::Handshake>(identities[i]);
    }
    QString error;
    const auto aliceKeys = runs[0]->agree(runs[1]->announcement(), &error);
    const auto bobKeys = runs[1]->agree(runs[0]->announcement(), &error);
    if (!aliceKeys || !bobKeys)
        bench::fail(error.toUtf8());
    Channel alice(*aliceKeys, identities[0].publicKey(), identities[1].publicKey());
    Channel bob(*bobKeys, identities[1].publicKey(), identities[0].publicKey());

    const QByteArray text(size, 'x');
    const quint64 firstNo = 1'764'547'200;
    QElapsedTimer wall;
    wall.start();
    // The message datagrams alone, then message and acknowledgement: two passes over fresh packet numbers.
    // The datagrams are encoded once: the engine encodes them with or without encryption, so only sealing and
    // opening are timed (the replay window counts envelopes, not the packet numbers inside).
    const QByteArray message = datagram(firstNo, ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::Utf8Opt, text);
    const QByteArray acknowledgement = datagram(firstNo + 1, ipmsg::RecvMsg, QByteArray::number(firstNo));
    qint64 done[2] = {0, 0};
    qint64 cpu[2] = {0, 0};
    for (int pass = 0; pass < 2; ++pass) {
        const qint64 start = bench::cpuMicros();
        for (qint64 i = 0; i < count && wall.elapsed() < DeadlineMs; ++i) {
            const auto opened = bob.open(alice.seal(message));
            if (!opened || opened->size() != message.size())
                bench::fail("a sealed message did not open");
            if (pass == 1) {
                const auto ack = alice.open(bob.seal(acknowledgement));
                if (!ack || ack->size() != acknowledgement.size())
                    bench::fail("a sealed acknowledgement did not open");
            }
            ++done[pass];
        }
        cpu[pass] = bench::cpuMicros() - start;
    }
    if (done[0] != count || done[1] != count)
        bench::fail("the deadline passed before every message was sealed and opened");
    const auto perMessage = [count](qint64 micros) {
        return QByteArray::number(double(micros) / double(count), 'f', 3);
    };
    bench::emitLine("size=" + QByteArray::number(size) + " n=" + QByteArray::number(count) +
                    " overhead_bytes=" + QByteArray::number(cryptowire::Overhead) +
                    " message_us=" + perMessage(cpu[0]) + " acked_us=" + perMessage(cpu[1]));
    return 0;
}
