#pragma once

#include "history.h"
#include "messenger.h"
#include "transfers.h"

#include <QAbstractListModel>
#include <QList>
#include <QString>

// One conversation as a list, oldest first, for a chat thread view. It opens with the newest page only and loads
// older pages through fetchMore() (the view asks when the user scrolls up), so a thread of any length opens at once.
// Opened at a message (a search result), it holds the pages around it, and newer ones come through fetchNewer().
// New messages land at the row their sortKey says, and a delivery change touches only the state role of one row.
class ConversationModel final : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        TextRole,
        TimeRole,      // QDateTime, UTC
        DirectionRole, // int(Direction)
        StateRole,     // int(MessageState)
        SystemRole,    // bool: a line such as "came online", not a chat message
        SortKeyRole,
        FirstOfDayRole, // bool: the first loaded row of its (local) day, which gets a date separator
        AutoReplyRole,  // bool: an automatic answer of someone away (IPMsg AUTORETOPT), either way
        // Group conversations: who wrote a received message (empty elsewhere), and how far one of mine got,
        // "Delivered to 3 of 4" (empty elsewhere; Qt::ToolTipRole names each member with its state).
        SenderRole,
        GroupDeliveryRole,
        SealedRole, // bool: an incoming IP Messenger sealed message not opened yet; TextRole then says so instead
        // A file, folder or picture offered either way: its Transfers::Info (invalid for a message). Such a row's
        // IdRole is negative (not a message), TextRole its name, TimeRole when it was offered.
        TransferRole,
    };
    static constexpr int PageSize = 100;     // the first page, and the least an older page holds
    static constexpr int MaxPageSize = 5000; // older pages grow with what is loaded, up to this

    ConversationModel(History* history, Messenger* messenger, QObject* parent = nullptr);
    // Shows the conversation's file transfers (Transfers::transfersWith) among its messages, by when they were
    // offered, and follows their progress. Without it the thread holds messages only.
    void setTransfers(Transfers* transfers);
    // The row of a transfer, if it is loaded.
    QModelIndex indexOfTransfer(quint64 id, bool outgoing) const;

    // A message's text as it is shown: every line end (CRLF, a lone CR as old Macs and some IP Messenger clients
    // send, LF) becomes LF, and line ends at the very end are dropped, so they show no empty last line.
    static QString shownText(const QString& text);

    // Shows another conversation (empty: none), with its newest page loaded.
    void setPeer(const QString& peer);
    // Shows `peer`'s conversation with half a page before the message `id` and half a page after it loaded (the
    // newest page when it is not in that conversation). indexOfId(id) is then its row.
    void setPeer(const QString& peer, qint64 id);
    // Whether messages newer than the loaded ones exist (only after opening at a message), and loads a page of them.
    bool canFetchNewer() const { return m_hasNewer; }
    void fetchNewer();
    QString peer() const { return m_peer; }
    // Whether the conversation shown is a group's.
    bool isGroup() const { return m_isGroup; }
    // The row of a message, if it is loaded.
    QModelIndex indexOfId(qint64 id) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

private:
    struct Row {
        qint64 id = 0; // negative: a system line that is not stored
        QString text;
        qint64 timeMs = 0;
        double sortKey = 0;
        qint32 day = 0; // local Julian day, for date separators
        MessageState state = MessageState::Received;
        Direction direction = Direction::Incoming;
        bool system = false;
        bool autoReply = false;
        QString remote; // ADDRESS:PORT it came from: in a group, who wrote it
        bool sealed = false;
        Transfers::Info transfer; // id 0: a message
    };
    static Row toRow(const Message& message);
    static qint32 localDay(qint64 ms);
    // Up to PageSize messages before `beforeKey`, oldest first; sets m_hasOlder.
    QList<Message> loadPage(double beforeKey);

    void onMessageAdded(const Message& message);
    void onDeliveryChanged(qint64 id, MessageState state);
    void onMessageOpened(qint64 id);
    void onPresenceChanged(const QString& peer, Presence presence);
    // Stores and shows a line such as "Alice came online.": `source` marked with QT_TR_NOOP, translated when shown
    // (systemline.h).
    void addSystemLine(const char* source, const QList<QStringList>& arguments = {});
    void onTransfer(const Transfers::Info& info);
    Row transferRow(const Transfers::Info& info);
    // Puts the conversation's transfers that fall within the loaded messages into m_rows (with row signals when
    // `announce`, else inside a reset).
    void mergeTransfers(bool announce);
    void insertRow(const Row& row);
    int rowOfId(qint64 id) const;
    bool isFirstOfDay(int row) const;

    // The members' states of one of my group messages, read when first shown, forgotten when one changes.
    const QList<Messenger::MemberDelivery>& memberStates(qint64 id) const;
    QString deliverySummary(qint64 id) const;
    QString deliveryDetail(qint64 id) const;

    History* m_history;
    Messenger* m_messenger;
    QString m_peer;
    bool m_isGroup = false;
    mutable QHash<qint64, QList<Messenger::MemberDelivery>> m_memberStates;
    QList<Row> m_rows;
    bool m_hasOlder = false;
    bool m_hasNewer = false;
    qint64 m_nextSystemId = -1;
    Transfers* m_transfers = nullptr;
    QList<Transfers::Info> m_peerTransfers;                // m_peer's, oldest first, loaded or not
    QHash<std::pair<quint64, bool>, qint64> m_transferIds; // (id, outgoing) -> the negative row id it shows under
};
