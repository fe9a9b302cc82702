#pragma once

#include "contactbook.h"
#include "faketransport.h"
#include "history.h"
#include "messenger.h"

#include <QTemporaryDir>

#include <memory>

// The parts of one engine over a fake transport in a temporary profile, made and unmade in order, for the engine's
// unit tests: a test class derives from it (or from EngineFixture, which fills it with known contacts), makes the
// parts in init() and closes them in cleanup().
class FakeEngine {
protected:
    // Makes the profile folder, its contacts.ini holding `contacts`, and the history file. Empty on success, else
    // what failed.
    QString openProfile(const QList<Contact>& contacts)
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_contacts = std::make_unique<ContactBook>();
        if (!m_dir->isValid() || !m_contacts->load(m_dir->filePath(QStringLiteral("contacts.ini"))))
            return QStringLiteral("no profile folder");
        for (const Contact& c : contacts)
            if (const QString why = m_contacts->add(c); !why.isEmpty())
                return why;
        m_history = std::make_unique<History>();
        if (!m_history->open(m_dir->filePath(QStringLiteral("history.sqlite"))))
            return m_history->error();
        return {};
    }
    // Makes the engine, calling itself `identity`, over a fake transport at `me`; the test starts it.
    void makeMessenger(const Identity& identity, const Endpoint& me)
    {
        m_transport = std::make_unique<FakeTransport>(me);
        m_messenger = std::make_unique<Messenger>(identity, m_contacts.get(), m_history.get(), m_transport.get());
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
