#pragma once

#include <QCoreApplication>
#include <QString>

// What the user is told about end-to-end encryption, in the same words in both front ends (issue 13).
class SecurityNotices {
    Q_DECLARE_TR_FUNCTIONS(SecurityNotices)
public:
    // `peer` announced another identity key than its pinned one (Messenger::keyChanged); `wasVerified`: the old one
    // had been verified, a stronger warning. `trustHint`: how to accept it in this front end ("/trust Bob").
    static QString keyChanged(const QString& peer, bool wasVerified, const QString& trustHint);
    // Datagrams claiming to be `peer`'s were refused (Messenger::forgeriesRefused); `peer` empty: not a peer here.
    static QString forgeriesRefused(const QString& peer, quint64 total);
    // Whether a conversation is end-to-end encrypted, as a short label: "end-to-end encrypted", "not encrypted",
    // "key changed: not trusted".
    static QString state(bool encrypted, bool keyChanged);
    // "end-to-end encrypted, key verified".
    static QString verifiedState();
};
