#pragma once

#include "messenger.h"
#include "packets.h"

#include <QTemporaryDir>

#include <memory>

// One engine over a fake transport in a temporary profile, for the engine's unit tests (tst_messenger,
// tst_enginepaths): contacts Alice (IPMsg at AliceAt) and Plain (plain text at PlainAt), a history file, and a
// Messenger that calls itself Me (user "me", host "my-pc"). A test class derives from it, opens it in init() and
// closes it in cleanup().
class EngineFixture {
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
        m_dir = std::make_unique<QTemporaryDir>();
        m_contacts = std::make_unique<ContactBook>();
        if (!m_dir->isValid() || !m_contacts->load(m_dir->filePath(QStringLiteral("contacts.ini"))))
            return QStringLiteral("no profile folder");
        for (const Contact& c :
             {Contact{QStringLiteral("Alice"), QStringLiteral("127.0.0.2"), 2425},
              Contact{QStringLiteral("Plain"), QStringLiteral("127.0.0.3"), 7000, Protocol::PlainText}})
            if (const QString why = m_contacts->add(c); !why.isEmpty())
                return why;
        m_history = std::make_unique<History>();
        if (!m_history->open(m_dir->filePath(QStringLiteral("history.sqlite"))))
            return m_history->error();
        m_transport = std::make_unique<FakeTransport>(me);
        if (checkCommitOrder)
            m_transport->isHistoryCommitted = [this] {
                return !m_history->hasUncommitted();
            };
        m_messenger = std::make_unique<Messenger>(Identity{QStringLiteral("Me"), {}, "me", "my-pc"}, m_contacts.get(),
                                                  m_history.get(), m_transport.get());
        m_messenger->setTiming(timing);
        m_messenger->start();
        return {};
    }
    // The engine first, then what it uses.
    void closeEngine()
    {
        m_messenger.reset();
        m_transport.reset();
        m_history.reset();
        m_contacts.reset();
        m_dir.reset();
    }
    void inject(const QByteArray& data, const Endpoint& from) { m_transport->deliver(data, from); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ContactBook> m_contacts;
    std::unique_ptr<History> m_history;
    std::unique_ptr<FakeTransport> m_transport;
    std::unique_ptr<Messenger> m_messenger;
};
