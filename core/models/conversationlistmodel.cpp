#include "conversationlistmodel.h"

ConversationListModel::ConversationListModel(ContactBook* contacts, History* history, Messenger* messenger,
                                             QObject* parent)
    : QAbstractListModel(parent)
    , m_contacts(contacts)
    , m_history(history)
    , m_messenger(messenger)
{
    reload();
    connect(m_contacts, &ContactBook::contactAdded, this, &ConversationListModel::onContactAdded);
    connect(m_contacts, &ContactBook::contactChanged, this, &ConversationListModel::onContactChanged);
    connect(m_contacts, &ContactBook::contactRemoved, this, &ConversationListModel::onContactRemoved);
    connect(m_contacts, &QAbstractItemModel::modelReset, this, &ConversationListModel::reload);
    if (m_messenger) {
        connect(m_messenger, &Messenger::messageAdded, this, &ConversationListModel::onMessageAdded);
        connect(m_messenger, &Messenger::presenceChanged, this, &ConversationListModel::onPresenceChanged);
        connect(m_messenger, &Messenger::peerStatusChanged, this, &ConversationListModel::onStatusChanged);
        connect(m_messenger, &Messenger::encryptionChanged, this, &ConversationListModel::onEncryptionChanged);
    }
}

QString ConversationListModel::oneLine(const QString& text)
{
    QString line = text.trimmed();
    line.replace(QStringLiteral("\r\n"), QStringLiteral(" "));
    for (QChar& c : line)
        if (c == u'\n' || c == u'\r' || c == u'\t' || c == QChar::LineSeparator || c == QChar::ParagraphSeparator)
            c = u' ';
    return line;
}

QString ConversationListModel::addressOf(const Contact& c)
{
    return c.host.contains(u':') ? QStringLiteral("[%1]:%2").arg(c.host).arg(c.port)
                                 : QStringLiteral("%1:%2").arg(c.host).arg(c.port);
}

bool ConversationListModel::before(const Row& a, const Row& b)
{
    if (a.lastTime != b.lastTime) {
        if (!a.lastTime.isValid() || !b.lastTime.isValid())
            return a.lastTime.isValid();
        return a.lastTime > b.lastTime;
    }
    // Among those nothing was said with, contacts come before strangers found on the LAN.
    if (a.contact != b.contact)
        return a.contact;
    return a.peer.compare(b.peer, Qt::CaseInsensitive) < 0;
}

QString ConversationListModel::nickOf(const QString& peer) const
{
    return m_messenger ? m_messenger->nickOf(peer) : QString();
}

void ConversationListModel::reload()
{
    QStringList discovered;
    for (const Row& r : std::as_const(m_rows))
        if (isDiscovered(r))
            discovered.append(r.peer);
    beginResetModel();
    m_rows.clear();
    int total = 0;
    for (const Contact& c : m_contacts->contacts())
        m_rows.append(Row{c.name, addressOf(c), true, Presence::Unknown, 0, {}, {}, {}});
    for (const ConversationSummary& s : m_history->conversations()) {
        const int at = rowOf(s.peer);
        Row& r = at >= 0 ? m_rows[at] : m_rows.emplace_back();
        if (at < 0) {
            r.peer = s.peer;
            r.address = Endpoint::parse(s.peer) ? s.peer : QString();
        }
        r.lastText = oneLine(s.lastText);
        r.lastTime = s.lastTime;
        r.unread = s.unread;
        total += s.unread;
    }
    // Strangers found on the LAN stay listed while they are online.
    for (const QString& peer : std::as_const(discovered))
        if (rowOf(peer) < 0 && m_messenger && m_messenger->presence(peer) == Presence::Online)
            m_rows.append(Row{peer, peer, false, Presence::Online, 0, {}, {}, {}});
    for (Row& r : m_rows) {
        r.presence = m_messenger ? m_messenger->presence(r.peer) : Presence::Unknown;
        if (!r.contact)
            r.nick = nickOf(r.peer);
    }
    std::stable_sort(m_rows.begin(), m_rows.end(), &ConversationListModel::before);
    endResetModel();
    setTotalUnread(total);
    Q_EMIT onlineCountChanged(onlineCount());
}

int ConversationListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ConversationListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        // The '?' says the name is only claimed: anyone on the LAN can give any nickname.
        return r.contact || r.nick.isEmpty()
                   ? r.peer
                   : tr("%1? %2", "a stranger's claimed nickname, its address").arg(r.nick, r.peer);
    case Qt::ToolTipRole: {
        // The row may cut a long name or address: the whole of both on hover.
        QString tip = r.contact || r.nick.isEmpty() ? r.peer : r.nick + u'\n' + r.peer;
        if (!r.address.isEmpty() && r.address != r.peer)
            tip += u'\n' + r.address;
        if (const PeerStatus status = statusOf(r); status.status != Status::Online)
            tip += u'\n' + (status.status == Status::Away ? tr("Away") : tr("Busy")) +
                   (status.text.isEmpty() ? QString() : QStringLiteral(": ") + status.text);
        return tip;
    }
    case PeerRole: return r.peer;
    case AddressRole: return r.address;
    case PresenceRole: return int(r.presence);
    case UnreadRole: return r.unread;
    case LastTextRole: return r.lastText;
    case LastTimeRole: return r.lastTime;
    case IsContactRole: return r.contact;
    case NickRole: return r.nick;
    case StatusRole: return int(statusOf(r).status);
    case StatusTextRole: return statusOf(r).text;
    case GroupRole: {
        const GroupBook::Group* group =
            m_messenger && r.peer.startsWith(u'#') ? m_messenger->groups().find(r.peer) : nullptr;
        return group ? int(group->roster.members().size()) : 0;
    }
    case LockRole: {
        if (!m_messenger)
            return int(Lock::None);
        const Messenger::Security s = m_messenger->security(r.peer);
        return int(s.keyChanged   ? Lock::KeyChanged
                   : !s.encrypted ? Lock::None
                   : s.verified   ? Lock::Verified
                                  : Lock::Encrypted);
    }
    default: return {};
    }
}

QHash<int, QByteArray> ConversationListModel::roleNames() const
{
    return {{PeerRole, "peer"},
            {AddressRole, "address"},
            {PresenceRole, "presence"},
            {UnreadRole, "unread"},
            {LastTextRole, "lastText"},
            {LastTimeRole, "lastTime"},
            {IsContactRole, "isContact"},
            {NickRole, "nick"},
            {StatusRole, "status"},
            {StatusTextRole, "statusText"},
            {LockRole, "lock"}};
}

PeerStatus ConversationListModel::statusOf(const Row& row) const
{
    return m_messenger && row.presence == Presence::Online ? m_messenger->peerStatus(row.peer) : PeerStatus{};
}

void ConversationListModel::onStatusChanged(const QString& peer)
{
    if (const int row = rowOf(peer); row >= 0) {
        const QModelIndex i = index(row);
        Q_EMIT dataChanged(i, i, {StatusRole, StatusTextRole, Qt::ToolTipRole});
    }
}

void ConversationListModel::onEncryptionChanged(const QString& peer)
{
    if (const int row = rowOf(peer); row >= 0)
        Q_EMIT dataChanged(index(row), index(row), {LockRole});
}

int ConversationListModel::rowOf(const QString& peer) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).peer == peer)
            return int(i);
    return -1;
}

QModelIndex ConversationListModel::indexOfPeer(const QString& peer) const
{
    const int row = rowOf(peer);
    return row < 0 ? QModelIndex() : index(row);
}

int ConversationListModel::onlineCount() const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(),
                             [](const Row& r) { return r.contact && r.presence == Presence::Online; }));
}

void ConversationListModel::setTotalUnread(int total)
{
    if (total == m_totalUnread)
        return;
    m_totalUnread = total;
    Q_EMIT totalUnreadChanged(total);
}

void ConversationListModel::insertSorted(const Row& row)
{
    const auto at = std::upper_bound(m_rows.cbegin(), m_rows.cend(), row, &ConversationListModel::before);
    const int pos = int(at - m_rows.cbegin());
    beginInsertRows({}, pos, pos);
    m_rows.insert(pos, row);
    endInsertRows();
}

void ConversationListModel::reposition(int row)
{
    const Row moving = m_rows.at(row);
    QList<Row> others = m_rows;
    others.removeAt(row);
    const int target =
        int(std::upper_bound(others.cbegin(), others.cend(), moving, &ConversationListModel::before) - others.cbegin());
    if (target != row) {
        // beginMoveRows counts the destination before the move: one more when moving down.
        beginMoveRows({}, row, row, {}, target > row ? target + 1 : target);
        m_rows.move(row, target);
        endMoveRows();
    }
    const QModelIndex i = index(target);
    Q_EMIT dataChanged(i, i);
}

int ConversationListModel::listedRow(const QString& peer)
{
    if (const int row = rowOf(peer); row >= 0)
        return row;
    insertSorted(Row{peer,
                     Endpoint::parse(peer) ? peer : QString(),
                     false,
                     m_messenger ? m_messenger->presence(peer) : Presence::Unknown,
                     0,
                     {},
                     {},
                     nickOf(peer)});
    return rowOf(peer);
}

void ConversationListModel::noteOffer(const QString& peer, const QString& name, const QDateTime& time, bool unread)
{
    const int row = listedRow(peer);
    Row& r = m_rows[row];
    if (!r.lastTime.isValid() || time >= r.lastTime) {
        r.lastText = oneLine(tr("[File] %1", "a conversation's last line when it was a file offer").arg(name));
        r.lastTime = time;
    }
    if (unread) {
        ++r.unread;
        setTotalUnread(m_totalUnread + 1);
    }
    reposition(row);
}

void ConversationListModel::onMessageAdded(const Message& m)
{
    if (m.isSystem)
        return;
    const int row = listedRow(m.peer);
    Row& r = m_rows[row];
    r.lastText = oneLine(m.text);
    r.lastTime = m.time;
    if (m.direction == Direction::Incoming && m.unread) {
        ++r.unread;
        setTotalUnread(m_totalUnread + 1);
    }
    reposition(row);
}

void ConversationListModel::clearUnread(const QString& peer)
{
    const int row = rowOf(peer);
    if (row < 0 || m_rows.at(row).unread == 0)
        return;
    const int had = std::exchange(m_rows[row].unread, 0);
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, {UnreadRole});
    setTotalUnread(m_totalUnread - had);
}

void ConversationListModel::onPresenceChanged(const QString& peer, Presence presence)
{
    const int row = rowOf(peer);
    if (row < 0) {
        // A stranger that announced itself on the LAN. A flood of made-up senders stops at MaxDiscovered rows.
        if (presence != Presence::Online || !Endpoint::parse(peer) ||
            std::count_if(m_rows.cbegin(), m_rows.cend(), &ConversationListModel::isDiscovered) >= MaxDiscovered)
            return;
        insertSorted(Row{peer, peer, false, presence, 0, {}, {}, nickOf(peer)});
        return;
    }
    Row& r = m_rows[row];
    if (isDiscovered(r) && presence != Presence::Online) {
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        endRemoveRows();
        return;
    }
    // A stranger may come back under another nickname.
    const QString nick = r.contact ? QString() : nickOf(peer);
    if (r.presence == presence && r.nick == nick)
        return;
    const bool renamed = r.nick != nick;
    r.presence = presence;
    r.nick = nick;
    const QModelIndex i = index(row);
    if (renamed)
        Q_EMIT dataChanged(i, i, {Qt::DisplayRole, PresenceRole, NickRole});
    else
        Q_EMIT dataChanged(i, i, {PresenceRole});
    Q_EMIT onlineCountChanged(onlineCount());
}

void ConversationListModel::onContactAdded(const Contact& contact)
{
    // A stranger that becomes a contact keeps its conversation (the engine renames it in the history).
    const int stranger = rowOf(addressOf(contact));
    if (stranger >= 0 && !m_rows.at(stranger).contact) {
        Row& r = m_rows[stranger];
        r.peer = contact.name;
        r.contact = true;
        r.nick.clear();
        // What the engine knows of the endpoint now that it is a contact's (the header shows it).
        r.presence = m_messenger ? m_messenger->presence(contact.name) : r.presence;
        reposition(stranger);
        Q_EMIT onlineCountChanged(onlineCount());
        return;
    }
    insertSorted(Row{contact.name,
                     addressOf(contact),
                     true,
                     m_messenger ? m_messenger->presence(contact.name) : Presence::Unknown,
                     0,
                     {},
                     {},
                     {}});
    Q_EMIT onlineCountChanged(onlineCount());
}

void ConversationListModel::onContactChanged(const QString& oldName, const Contact& contact)
{
    const int row = rowOf(oldName);
    if (row < 0)
        return;
    Row& r = m_rows[row];
    r.peer = contact.name;
    r.address = addressOf(contact);
    r.presence = m_messenger ? m_messenger->presence(contact.name) : r.presence;
    reposition(row);
    Q_EMIT onlineCountChanged(onlineCount());
}

void ConversationListModel::onContactRemoved(const QString& name)
{
    const int row = rowOf(name);
    if (row < 0)
        return;
    // The history stays. When the history keyed it by its address again (Session), it is listed as that stranger.
    if (m_rows.at(row).lastTime.isValid() && !m_history->hasConversation(name)) {
        reload();
        return;
    }
    // Else a conversation with messages remains listed, as a former contact without an address.
    if (m_rows.at(row).lastTime.isValid()) {
        Row& r = m_rows[row];
        r.contact = false;
        r.address.clear();
        r.presence = Presence::Unknown;
        const QModelIndex i = index(row);
        Q_EMIT dataChanged(i, i);
    } else {
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        endRemoveRows();
    }
    Q_EMIT onlineCountChanged(onlineCount());
}
