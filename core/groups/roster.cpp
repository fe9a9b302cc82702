#include "roster.h"

#include <QCoreApplication>

#include <algorithm>

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("Roster", text);
}

} // namespace

Roster::Roster(QList<Entry> entries)
{
    merge(entries);
}

QList<Roster::Entry> Roster::members() const
{
    QList<Entry> out;
    for (const Entry& e : m_entries)
        if (!e.left)
            out.append(e);
    return out;
}

const Roster::Entry* Roster::find(const QString& endpoint) const
{
    const auto it = std::lower_bound(m_entries.cbegin(), m_entries.cend(), endpoint,
                                     [](const Entry& e, const QString& key) { return e.endpoint < key; });
    return it != m_entries.cend() && it->endpoint == endpoint ? &*it : nullptr;
}

bool Roster::isMember(const QString& endpoint) const
{
    const Entry* e = find(endpoint);
    return e && !e->left;
}

quint64 Roster::clock() const
{
    quint64 c = 0;
    for (const Entry& e : m_entries)
        c = std::max(c, e.clock);
    return c;
}

bool Roster::add(const QString& endpoint, const QString& name, QString* error)
{
    if (isMember(endpoint)) {
        if (error)
            *error = tr("%1 is a member already.").arg(name);
        return false;
    }
    if (members().size() >= MaxMembers) {
        if (error)
            *error = tr("A group has at most %1 members.").arg(MaxMembers);
        return false;
    }
    return merge({Entry{endpoint, name, clock() + 1, false}});
}

bool Roster::leave(const QString& endpoint)
{
    const Entry* e = find(endpoint);
    if (!e || e->left)
        return false;
    return merge({Entry{endpoint, e->name, clock() + 1, true}});
}

bool Roster::wins(const Entry& a, const Entry& b)
{
    if (a.clock != b.clock)
        return a.clock > b.clock;
    if (a.left != b.left)
        return a.left;
    return a.name > b.name;
}

bool Roster::merge(const QList<Entry>& entries)
{
    bool changed = false;
    int active = int(members().size());
    for (const Entry& in : entries) {
        auto it = std::lower_bound(m_entries.begin(), m_entries.end(), in.endpoint,
                                   [](const Entry& e, const QString& key) { return e.endpoint < key; });
        const bool present = it != m_entries.end() && it->endpoint == in.endpoint;
        if (present && !wins(in, *it))
            continue;
        const bool joins = !in.left && (!present || it->left);
        if (joins && active >= MaxMembers)
            continue;
        active += joins ? 1 : (in.left && present && !it->left ? -1 : 0);
        if (present)
            *it = in;
        else
            m_entries.insert(it, in);
        changed = true;
    }
    trim();
    return changed;
}

void Roster::trim()
{
    while (m_entries.size() > MaxEntries) {
        auto oldest = m_entries.end();
        for (auto it = m_entries.begin(); it != m_entries.end(); ++it)
            if (it->left && (oldest == m_entries.end() || it->clock < oldest->clock))
                oldest = it;
        if (oldest == m_entries.end())
            return;
        m_entries.erase(oldest);
    }
}

bool Roster::isAheadOf(const QList<Entry>& other) const
{
    for (const Entry& mine : m_entries) {
        const auto it =
            std::find_if(other.cbegin(), other.cend(), [&](const Entry& e) { return e.endpoint == mine.endpoint; });
        if (it == other.cend() || wins(mine, *it))
            return true;
    }
    return false;
}
