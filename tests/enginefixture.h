#pragma once

#include "fakeengine.h"
#include "packets.h"

// One engine over a fake transport in a temporary profile, for the engine's unit tests (tst_messenger,
// tst_enginepaths): contacts Alice (IPMsg at AliceAt) and Plain (plain text at PlainAt), a history file, and a
// Messenger that calls itself Me (user "me", host "my-pc"). A test class derives from it, opens it in init() and
// closes it in cleanup().
class EngineFixture : protected FakeEngine {
public:
    static inline const Endpoint AliceAt{QHostAddress(QStringLiteral("127.0.0.2")), 2425};
    static inline const Endpoint PlainAt{QHostAddress(QStringLiteral("127.0.0.3")), 7000};

    // A datagram from Alice: IPMsg packet `no` with `command` and `extension`, under `version`.
    static QByteArray alicePacket(quint64 no, quint32 command, const QByteArray& extension,
                                  const QByteArray& version = "1")
    {
        return ipmsgPacket(no, command, extension, "alice", "alice-pc", version);
    }

protected:
    // Makes the profile and starts the engine at `me` with `timing`. With `checkCommitOrder`, every datagram sent
    // records whether the history had anything uncommitted (FakeTransport::Sent::historyCommitted). Empty on
    // success, else what failed.
    QString openEngine(const Endpoint& me, const Messenger::Timing& timing, bool checkCommitOrder = false)
    {
        if (const QString why =
                openProfile({Contact{QStringLiteral("Alice"), QStringLiteral("127.0.0.2"), 2425},
                             Contact{QStringLiteral("Plain"), QStringLiteral("127.0.0.3"), 7000, Protocol::PlainText}});
            !why.isEmpty())
            return why;
        makeMessenger(Identity{QStringLiteral("Me"), {}, "me", "my-pc"}, me);
        if (checkCommitOrder)
            m_transport->isHistoryCommitted = [this] {
                return !m_history->hasUncommitted();
            };
        m_messenger->setTiming(timing);
        m_messenger->start();
        return {};
    }
};
