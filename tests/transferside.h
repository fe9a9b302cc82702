#pragma once

#include "contactbook.h"
#include "faketransport.h"
#include "history.h"
#include "messenger.h"
#include "transfers.h"

#include <QDir>
#include <QTemporaryDir>

#include <memory>

// One Pigeon with file transfers for the transfer tests, over a transport the test gives (a fake network): contacts
// holding `other` (kept when the profile has it already, as after a restart), history, engine and Transfers, its
// stores in `dir` and its downloads in dir/downloads. The test sets timings, then calls start().
struct TransferSide {
    ContactBook book;
    History history;
    Messenger messenger;
    Transfers transfers;

    TransferSide(Transport* wire, const QString& dir, const QString& nick, const Contact& other)
        : messenger(Identity::fromSystem(nick), &book, &history, wire)
        , transfers(&messenger, (openStores(dir, other), &history))
    {
        transfers.setDownloadFolder(dir + QStringLiteral("/downloads"));
    }
    ~TransferSide() { transfers.stop(); }
    void start()
    {
        messenger.start();
        transfers.start();
    }

private:
    void openStores(const QString& dir, const Contact& other)
    {
        book.load(dir + QStringLiteral("/contacts"));
        if (!book.find(other.name))
            book.add(other);
        history.open(dir + QStringLiteral("/history.sqlite"));
    }
};

// The contact `name` at `at`, as each of two Pigeons knows the other.
inline Contact contact(const QString& name, const Endpoint& at)
{
    return {name, at.address.toString(), at.port};
}

// Alice's and Bob's sockets on one fake network, a temporary folder holding their profiles' folders (m_aliceDir,
// m_bobDir), and their Pigeons of type Side (a TransferSide) once the test makes them. A test class derives from it,
// opens the wires in init() and closes everything in cleanup().
template <class Side>
class TransferPair {
protected:
    // Empty on success, else what failed.
    QString openWires(const Endpoint& aliceAt, const Endpoint& bobAt)
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_aliceDir = m_dir->filePath(QStringLiteral("alice"));
        m_bobDir = m_dir->filePath(QStringLiteral("bob"));
        if (!m_dir->isValid() || !QDir().mkpath(m_aliceDir) || !QDir().mkpath(m_bobDir))
            return QStringLiteral("the profile folders could not be made");
        m_aliceWire = std::make_unique<FakeTransport>(aliceAt, &m_network);
        m_bobWire = std::make_unique<FakeTransport>(bobAt, &m_network);
        m_network.attach(m_aliceWire.get());
        m_network.attach(m_bobWire.get());
        return {};
    }
    // The Pigeons first, then their sockets and folder.
    void closePair()
    {
        m_alice.reset();
        m_bob.reset();
        m_aliceWire.reset();
        m_bobWire.reset();
        m_dir.reset();
    }
    std::unique_ptr<QTemporaryDir> m_dir;
    FakeNetwork m_network;
    std::unique_ptr<FakeTransport> m_aliceWire;
    std::unique_ptr<FakeTransport> m_bobWire;
    std::unique_ptr<Side> m_alice;
    std::unique_ptr<Side> m_bob;
    QString m_aliceDir;
    QString m_bobDir;
};
