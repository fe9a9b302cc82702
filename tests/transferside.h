#pragma once

#include "contactbook.h"
#include "history.h"
#include "messenger.h"
#include "transfers.h"

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
