// pigeon_crashdriver DIR PORT PEER_PORT: one Pigeon on 127.0.0.1:PORT that keeps sending numbered messages to the
// contact "peer" on 127.0.0.1:PEER_PORT (at most 16 unacknowledged at a time) and stores what it receives, until its
// standard input ends; then it stops sending, waits (up to 15 s) for what is on its way, and exits cleanly.
// tst_crashsafety runs two of them and kills them with SIGKILL at random moments.

#include "session.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSocketNotifier>
#include <QTimer>

#include <cstdio>
#include <unistd.h>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 6) {
        std::fprintf(stderr, "usage: pigeon_crashdriver DIR ADDRESS PORT PEER_ADDRESS PEER_PORT\n");
        return 1;
    }
    Session session;
    Session::Options options;
    options.profileDir = args[1];
    options.bind = QHostAddress(args[2]);
    options.port = quint16(args[3].toUInt());
    options.nick = QStringLiteral("driver");
    if (!session.open(options)) {
        std::fprintf(stderr, "pigeon_crashdriver: %s\n", qPrintable(session.error()));
        return 2;
    }
    const QString peer = QStringLiteral("peer");
    if (!session.contacts().find(peer)) {
        const QString why = session.contacts().add({peer, args[4], quint16(args[5].toUInt())});
        if (!why.isEmpty()) {
            std::fprintf(stderr, "pigeon_crashdriver: %s\n", qPrintable(why));
            return 2;
        }
    }
    Messenger* messenger = session.messenger();
    QObject::connect(messenger, &Messenger::problem, &app,
                     [](const QString& text) { std::fprintf(stderr, "pigeon_crashdriver: %s\n", qPrintable(text)); });

    // Texts are unique across restarts: the process id and a counter.
    const QString tag = QString::number(QCoreApplication::applicationPid()) + u'-';
    int sequence = 0;
    QTimer sender;
    QObject::connect(&sender, &QTimer::timeout, &app, [&] {
        if (messenger->pendingCount() < 16)
            messenger->send(peer, tag + QString::number(sequence++));
    });
    sender.start(5);

    QElapsedTimer draining;
    QTimer drain;
    QObject::connect(&drain, &QTimer::timeout, &app, [&] {
        if (messenger->pendingCount() == 0 || draining.elapsed() > 15'000) {
            session.close();
            QCoreApplication::exit(0);
        }
    });
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&input, &QSocketNotifier::activated, &app, [&] {
        char buffer[256];
        if (::read(STDIN_FILENO, buffer, sizeof buffer) > 0)
            return;
        input.setEnabled(false);
        sender.stop();
        draining.start();
        drain.start(20);
    });
    std::printf("ready\n");
    std::fflush(stdout);
    return QCoreApplication::exec();
}
