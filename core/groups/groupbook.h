#pragma once

#include "history.h"
#include "roster.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

// The groups this Pigeon belongs to (or left), their rosters, and the per-member delivery of what was sent to them,
// kept in History's database (schema version 3 on, schema.h) and in memory (at most MaxGroups x Roster::MaxEntries).
// Writes join History's open transaction, so they commit, and are acknowledged or sent, with the messages
// (CommitBatch). A group's conversation is keyed "#NAME", NAME being its name on this Pigeon: the name its creator
// gave, made unique here.
class GroupBook {
public:
    static constexpr int MaxGroups = 1000;
    // Groups that one sender that is no contact may have invited this Pigeon to (the others are refused), so that
    // one stranger cannot use up MaxGroups.
    static constexpr int MaxInvitesPerStranger = 10;

    struct Group {
        QByteArray id; // grouppayload::IdBytes random bytes
        QString name;  // unique on this Pigeon
        QString wireName;
        Roster roster;
        // The conversation key in History.
        QString key() const { return u'#' + name; }
        // Whether this Pigeon is still a member (it did not leave).
        bool isActive() const { return roster.isMember(QString()); }
    };
    // The delivery of one text or roster change (message 0) of a group to one member.
    struct Delivery {
        qint64 id = 0;
        QByteArray group;
        qint64 message = 0; // messages.id; 0 for a roster change
        QString member;     // "ADDRESS:PORT"
        MessageState state = MessageState::Queued;
        quint64 packetNo = 0;
        int parts = 1;
    };

    explicit GroupBook(History* history);

    // Reads every group from the database; false with the reason in *error.
    bool load(QString* error);
    QString error() const { return m_error; }

    QList<const Group*> groups() const;
    // A group by its key ("#NAME") or its name; nullptr if none.
    const Group* find(const QString& keyOrName) const;
    const Group* findId(const QByteArray& id) const;

    // Adds a group (a new id) under `name`, made unique among the groups and `taken` (contact names); nullptr with
    // the reason in *error when there are MaxGroups already or the database refused.
    const Group* add(const QByteArray& id, const QString& name, const Roster& roster, const QStringList& taken,
                     QString* error);
    // Stores a group's new roster.
    bool setRoster(const QByteArray& id, const Roster& roster);

    // A delivery to queue for `member`; its id, 0 on a database error.
    qint64 addDelivery(const QByteArray& group, qint64 message, const QString& member, MessageState state);
    bool setDelivery(qint64 id, MessageState state, quint64 packetNo, int parts);
    bool setDeliveryState(qint64 id, MessageState state);
    std::optional<Delivery> delivery(qint64 id);
    // The deliveries of one message, by member.
    QList<Delivery> deliveriesOf(qint64 message);
    // Whether a roster delivery of `group` to `member` waits: Queued only, or with `orSending` also one on its way.
    bool rosterPending(const QByteArray& group, const QString& member, bool orSending);
    // Every delivery still Queued or Sending, oldest first.
    QList<Delivery> unsent();

private:
    Delivery readDelivery(const class QSqlQuery& q) const;
    bool exec(class QSqlQuery& q);

    History* m_history;
    QString m_error;
    QHash<QByteArray, std::shared_ptr<Group>> m_groups;
};
