#pragma once

#include "history.h"
#include "messenger.h"

#include <QAbstractListModel>
#include <QList>
#include <QString>

// One conversation as a list, oldest first, for a chat thread view. It opens with the newest page only and loads
// older pages through fetchMore() (the view asks when the user scrolls up), so a thread of any length opens at once.
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
        SealedRole,     // bool: an incoming IP Messenger sealed message not opened yet; TextRole then says so instead
    };
    static constexpr int PageSize = 100;     // the first page, and the least an older page holds
    static constexpr int MaxPageSize = 5000; // older pages grow with what is loaded, up to this

    ConversationModel(History* history, Messenger* messenger, QObject* parent = nullptr);

    // A message's text as it is shown: every line end (CRLF, a lone CR as old Macs and some IP Messenger clients
    // send, LF) becomes LF, and line ends at the very end are dropped, so they show no empty last line.
    static QString shownText(const QString& text);

    // Shows another conversation (empty: none), with its newest page loaded.
    void setPeer(const QString& peer);
    QString peer() const { return m_peer; }
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
        bool sealed = false;
    };
    static Row toRow(const Message& message);
    static qint32 localDay(qint64 ms);
    // Up to PageSize messages before `beforeKey`, oldest first; sets m_hasOlder.
    QList<Message> loadPage(double beforeKey);

    void onMessageAdded(const Message& message);
    void onDeliveryChanged(qint64 id, MessageState state);
    void onMessageOpened(qint64 id);
    void onPresenceChanged(const QString& peer, Presence presence);
    void addSystemLine(const QString& text);
    void insertRow(const Row& row);
    int rowOfId(qint64 id) const;
    bool isFirstOfDay(int row) const;

    History* m_history;
    QString m_peer;
    QList<Row> m_rows;
    bool m_hasOlder = false;
    qint64 m_nextSystemId = -1;
};
