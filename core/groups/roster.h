#pragma once

#include <QList>
#include <QString>

// The member list of a group and how copies of it converge without a server.
//
// Convergence: the roster is a last-writer-wins map from member (its "ADDRESS:PORT") to an entry {name, clock, left}.
// A change (an add, a leave) gives the changed entry a clock one above the highest clock in the roster (a Lamport
// clock), so a change made after seeing another one always wins over it. Every change travels to every member as the
// whole roster (bounded: MaxEntries), and merge() keeps, per member, the entry with the higher clock (at equal clocks
// "left" wins, then the greater name, so that every copy picks the same). That merge is commutative, associative and
// idempotent: members that received the same changes hold the same roster, in whatever order and however often the
// changes arrived. The rosters go out as acknowledged datagrams through the normal delivery, into the offline queue
// of a member that is away, so a member offline during a change gets it when it is back; and every group message
// carries the roster's clock, so two members that find they differ exchange rosters (Messenger's group handlers).
// A member that left stays as a tombstone (left = true) so that an old copy cannot bring it back.
class Roster {
public:
    // One member. `endpoint` is "ADDRESS:PORT" as Endpoint::toString() writes it; an empty endpoint is this Pigeon.
    struct Entry {
        QString endpoint;
        QString name;
        quint64 clock = 0;
        bool left = false;

        friend bool operator==(const Entry&, const Entry&) = default;
    };
    // At most this many members in a group (issue 12), and this many entries with the tombstones of those who left.
    static constexpr int MaxMembers = 256;
    static constexpr int MaxEntries = 2 * MaxMembers;

    Roster() = default;
    explicit Roster(QList<Entry> entries);

    // Every entry, those who left too, sorted by endpoint.
    const QList<Entry>& entries() const { return m_entries; }
    // The members that did not leave.
    QList<Entry> members() const;
    const Entry* find(const QString& endpoint) const;
    // Whether `endpoint` is a member that did not leave.
    bool isMember(const QString& endpoint) const;
    // The highest clock of any entry: the roster's version.
    quint64 clock() const;

    // Adds `endpoint` (or brings it back after it left) under a new clock. False, with the reason in *error, when it
    // is a member already or the group is full.
    bool add(const QString& endpoint, const QString& name, QString* error = nullptr);
    // Marks `endpoint` as gone under a new clock; false if it is no member.
    bool leave(const QString& endpoint);
    // Merges another copy's entries (see above). Returns whether this roster changed. An entry that would make the
    // group larger than MaxMembers is not taken; past MaxEntries the oldest tombstones are forgotten.
    bool merge(const QList<Entry>& entries);
    // Whether `other` lacks something this roster has (an entry it does not have, or one with a higher clock).
    bool isAheadOf(const QList<Entry>& other) const;

private:
    static bool wins(const Entry& a, const Entry& b);
    void trim();

    QList<Entry> m_entries;
};
