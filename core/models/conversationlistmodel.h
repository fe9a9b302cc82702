#pragma once

#include "contactbook.h"
#include "history.h"
#include "messenger.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QList>

// Everyone one can chat with, for a contact list: every contact, every sender that is no contact (named by its
// address:port), and strangers found online on the LAN (at most MaxDiscovered of those without history), with
// presence, unread count and last message, the latest activity first.
class ConversationListModel final : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        PeerRole = Qt::UserRole + 1, // the conversation key: a contact's name or "address:port"
        AddressRole,                 // "host:port"; empty for a former contact whose address is gone
        PresenceRole,                // int(Presence)
        UnreadRole,
        LastTextRole, // on one line: line ends and tabs are spaces
        LastTimeRole, // QDateTime, UTC; invalid when nothing was said yet
        IsContactRole,
        NickRole,       // the nickname a stranger claims in its entry packets; empty for contacts
        StatusRole,     // int(Status): away or busy as its entry packets say; Online while not online
        StatusTextRole, // the text of that status; empty when none
        GroupRole,      // int: a group's member count (0: no group's conversation)
        LockRole,       // int(Lock): whether the conversation is end-to-end encrypted
    };
    // The lock shown with a conversation (issue 13).
    enum class Lock {
        None,       // not encrypted: an IP Messenger-family or plain-text peer, or no key agreed yet
        Encrypted,  // end-to-end encrypted
        Verified,   // encrypted, and the key was compared with the person
        KeyChanged, // a new key waits to be trusted: nothing goes either way
    };
    // Online strangers without history that are listed at most; more are left out until some go offline.
    static constexpr int MaxDiscovered = 500;

    ConversationListModel(ContactBook* contacts, History* history, Messenger* messenger, QObject* parent = nullptr);

    QModelIndex indexOfPeer(const QString& peer) const;
    // The conversation is on screen: its incoming messages are read at once.
    void clearUnread(const QString& peer);
    // `peer` offers the file or folder `name` at `time` (UTC): its conversation is listed (a stranger whose offer
    // came without text too), moved up with "[File] name" as its last line and, when `unread`, one more unread.
    // The mark is kept in memory only: the history counts unread messages, not offers.
    void noteOffer(const QString& peer, const QString& name, const QDateTime& time, bool unread);
    int totalUnread() const { return m_totalUnread; }
    int onlineCount() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void totalUnreadChanged(int total);
    void onlineCountChanged(int online);

private:
    struct Row {
        QString peer;
        QString address;
        bool contact = false;
        Presence presence = Presence::Unknown;
        int unread = 0;
        QString lastText;
        QDateTime lastTime;
        QString nick; // claimed by a stranger
    };
    static bool before(const Row& a, const Row& b);
    // Away or busy as the engine last heard; Online for a peer that is not online.
    PeerStatus statusOf(const Row& row) const;
    static QString oneLine(const QString& text);
    static QString addressOf(const Contact& contact);

    void reload();
    void onMessageAdded(const Message& message);
    void onPresenceChanged(const QString& peer, Presence presence);
    void onStatusChanged(const QString& peer);
    void onEncryptionChanged(const QString& peer);
    void onContactAdded(const Contact& contact);
    void onContactChanged(const QString& oldName, const Contact& contact);
    void onContactRemoved(const QString& name);
    int rowOf(const QString& peer) const;
    // The row of `peer`, listed first (as a stranger) when it was not.
    int listedRow(const QString& peer);
    // A stranger listed only because it is online: nothing was said with it.
    static bool isDiscovered(const Row& row) { return !row.contact && !row.lastTime.isValid(); }
    QString nickOf(const QString& peer) const;
    void insertSorted(const Row& row);
    // Moves a changed row to where the order puts it, or repaints it in place.
    void reposition(int row);
    void setTotalUnread(int total);

    ContactBook* m_contacts;
    History* m_history;
    Messenger* m_messenger;
    QList<Row> m_rows;
    int m_totalUnread = 0;
};
