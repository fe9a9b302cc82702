#include "conversationmodel.h"

#include "systemline.h"

#include <algorithm>
#include <limits>

ConversationModel::ConversationModel(History* history, Messenger* messenger, QObject* parent)
    : QAbstractListModel(parent)
    , m_history(history)
    , m_messenger(messenger)
{
    if (messenger) {
        connect(messenger, &Messenger::messageAdded, this, &ConversationModel::onMessageAdded);
        connect(messenger, &Messenger::deliveryChanged, this, &ConversationModel::onDeliveryChanged);
        connect(messenger, &Messenger::presenceChanged, this, &ConversationModel::onPresenceChanged);
        connect(messenger, &Messenger::messageOpened, this, &ConversationModel::onMessageOpened);
    }
}

void ConversationModel::setTransfers(Transfers* transfers)
{
    m_transfers = transfers;
    if (!transfers)
        return;
    connect(transfers, &Transfers::offered, this, &ConversationModel::onTransfer);
    connect(transfers, &Transfers::changed, this, &ConversationModel::onTransfer);
    connect(transfers, &Transfers::finished, this, &ConversationModel::onTransfer);
    setPeer(m_peer);
}

ConversationModel::Row ConversationModel::transferRow(const Transfers::Info& info)
{
    const std::pair<quint64, bool> key{info.id, info.outgoing};
    auto id = m_transferIds.constFind(key);
    if (id == m_transferIds.cend())
        id = m_transferIds.insert(key, m_nextSystemId--);
    Row r;
    r.id = *id;
    r.text = info.name;
    r.timeMs = info.timeMs;
    r.day = localDay(info.timeMs);
    r.sortKey = double(info.timeMs);
    r.state = info.outgoing ? MessageState::Sent : MessageState::Received;
    r.direction = info.outgoing ? Direction::Outgoing : Direction::Incoming;
    r.transfer = info;
    return r;
}

void ConversationModel::mergeTransfers(bool announce)
{
    if (!m_transfers || m_peer.isEmpty())
        return;
    for (const Transfers::Info& info : std::as_const(m_peerTransfers)) {
        if (indexOfTransfer(info.id, info.outgoing).isValid())
            continue;
        const Row row = transferRow(info);
        if (announce) {
            insertRow(row);
            continue;
        }
        if ((m_hasOlder && !m_rows.isEmpty() && row.sortKey < m_rows.first().sortKey) ||
            (m_hasNewer && !m_rows.isEmpty() && row.sortKey > m_rows.last().sortKey))
            continue;
        const auto at = std::upper_bound(m_rows.cbegin(), m_rows.cend(), row.sortKey,
                                         [](double key, const Row& r) { return key < r.sortKey; });
        m_rows.insert(at - m_rows.cbegin(), row);
    }
}

QModelIndex ConversationModel::indexOfTransfer(quint64 id, bool outgoing) const
{
    const auto rowId = m_transferIds.constFind({id, outgoing});
    return rowId == m_transferIds.cend() ? QModelIndex() : indexOfId(*rowId);
}

void ConversationModel::onTransfer(const Transfers::Info& info)
{
    if (info.peer != m_peer || m_peer.isEmpty())
        return;
    const auto known = std::find_if(m_peerTransfers.begin(), m_peerTransfers.end(), [&](const Transfers::Info& t) {
        return t.id == info.id && t.outgoing == info.outgoing;
    });
    if (known == m_peerTransfers.end())
        m_peerTransfers.append(info);
    else
        *known = info;
    const QModelIndex i = indexOfTransfer(info.id, info.outgoing);
    if (!i.isValid()) {
        insertRow(transferRow(info));
        return;
    }
    m_rows[i.row()].transfer = info;
    Q_EMIT dataChanged(i, i, {TransferRole});
}

QString ConversationModel::shownText(const QString& text)
{
    QString shown = text;
    shown.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    shown.replace(u'\r', u'\n');
    qsizetype end = shown.size();
    while (end > 0 && shown.at(end - 1) == u'\n')
        --end;
    shown.truncate(end);
    return shown;
}

ConversationModel::Row ConversationModel::toRow(const Message& m)
{
    const qint64 ms = m.time.toMSecsSinceEpoch();
    return Row{m.id,
               m.isSystem ? systemline::render(m.text) : shownText(m.text),
               ms,
               m.sortKey,
               localDay(ms),
               m.state,
               m.direction,
               m.isSystem,
               m.isAutoReply,
               m.remote,
               m.sealed && m.direction == Direction::Incoming,
               {}};
}

void ConversationModel::setPeer(const QString& peer, qint64 id)
{
    const std::optional<Message> target = m_history ? m_history->message(id) : std::nullopt;
    if (!target || target->peer != peer) {
        setPeer(peer);
        return;
    }
    beginResetModel();
    m_peer = peer;
    m_rows.clear();
    const int half = PageSize / 2;
    // One more than asked for on each side says whether more is left there.
    QList<Message> before = m_history->conversation(peer, target->sortKey, half + 1, target->packetNo);
    m_hasOlder = before.size() > half;
    if (m_hasOlder)
        before.removeFirst();
    QList<Message> after = m_history->conversationAfter(peer, target->sortKey, target->packetNo, half + 1);
    m_hasNewer = after.size() > half;
    if (m_hasNewer)
        after.removeLast();
    m_rows.reserve(before.size() + 1 + after.size());
    for (const Message& m : std::as_const(before))
        m_rows.append(toRow(m));
    m_rows.append(toRow(*target));
    for (const Message& m : std::as_const(after))
        m_rows.append(toRow(m));
    m_peerTransfers = m_transfers ? m_transfers->transfersWith(peer) : QList<Transfers::Info>();
    mergeTransfers(false);
    endResetModel();
}

void ConversationModel::fetchNewer()
{
    if (!m_hasNewer || m_rows.isEmpty())
        return;
    const int size = std::clamp(int(m_rows.size()), int(PageSize), int(MaxPageSize));
    const Row& last = m_rows.last();
    const std::optional<Message> newest = m_history->message(last.id);
    QList<Message> page = m_history->conversationAfter(m_peer, last.sortKey, newest ? newest->packetNo : 0, size + 1);
    m_hasNewer = page.size() > size;
    if (m_hasNewer)
        page.removeLast();
    if (page.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(page.size()) - 1);
    for (const Message& m : std::as_const(page))
        m_rows.append(toRow(m));
    endInsertRows();
    mergeTransfers(true);
}

void ConversationModel::setPeer(const QString& peer)
{
    beginResetModel();
    m_peer = peer;
    m_isGroup = m_messenger && peer.startsWith(u'#') && m_messenger->groups().find(peer);
    m_memberStates.clear();
    m_rows.clear();
    m_hasOlder = false;
    m_hasNewer = false;
    m_peerTransfers = m_transfers && !peer.isEmpty() ? m_transfers->transfersWith(peer) : QList<Transfers::Info>();
    if (!peer.isEmpty()) {
        const QList<Message> page = loadPage(std::numeric_limits<double>::max());
        m_rows.reserve(page.size());
        for (const Message& m : page)
            m_rows.append(toRow(m));
    }
    mergeTransfers(false);
    endResetModel();
}

qint32 ConversationModel::localDay(qint64 ms)
{
    return qint32(QDateTime::fromMSecsSinceEpoch(ms).date().toJulianDay());
}

QList<Message> ConversationModel::loadPage(double beforeKey)
{
    // Every insertion makes a view lay out all loaded rows again, so pages grow with what is loaded (up to a limit):
    // scrolling through 100 000 messages then takes some thirty fetches, not a thousand.
    const int size = std::clamp(int(m_rows.size()), int(PageSize), int(MaxPageSize));
    // One row more than a page says whether anything older is left.
    QList<Message> page = m_history->conversation(m_peer, beforeKey, size + 1);
    m_hasOlder = page.size() > size;
    if (m_hasOlder)
        page.removeFirst();
    return page;
}

int ConversationModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

bool ConversationModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && m_hasOlder;
}

void ConversationModel::fetchMore(const QModelIndex& parent)
{
    if (parent.isValid() || !m_hasOlder)
        return;
    const double before = m_rows.isEmpty() ? std::numeric_limits<double>::max() : m_rows.first().sortKey;
    const QList<Message> page = loadPage(before);
    if (page.isEmpty())
        return;
    QList<Row> older;
    older.reserve(page.size() + m_rows.size());
    for (const Message& m : page)
        older.append(toRow(m));
    beginInsertRows({}, 0, int(page.size()) - 1);
    older.append(std::move(m_rows));
    m_rows = std::move(older);
    endInsertRows();
    // The row that used to open the thread may share its day with the page above it now.
    const QModelIndex formerFirst = index(int(page.size()));
    if (formerFirst.isValid())
        Q_EMIT dataChanged(formerFirst, formerFirst, {FirstOfDayRole});
    mergeTransfers(true);
}

QVariant ConversationModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TextRole: return r.sealed ? tr("Sealed message — click to open") : r.text;
    case SealedRole: return r.sealed;
    case TransferRole: return r.transfer.id ? QVariant::fromValue(r.transfer) : QVariant();
    case IdRole: return r.id;
    case TimeRole: return QDateTime::fromMSecsSinceEpoch(r.timeMs, Qt::UTC);
    case DirectionRole: return int(r.direction);
    case StateRole: return int(r.state);
    case SystemRole: return r.system;
    case SortKeyRole: return r.sortKey;
    case FirstOfDayRole: return isFirstOfDay(index.row());
    case AutoReplyRole: return r.autoReply;
    case SenderRole:
        return m_isGroup && !r.system && r.direction == Direction::Incoming ? m_messenger->memberName(m_peer, r.remote)
                                                                            : QString();
    case GroupDeliveryRole:
        return m_isGroup && r.direction == Direction::Outgoing && r.id > 0 ? deliverySummary(r.id) : QString();
    case Qt::ToolTipRole:
        if (!m_isGroup || r.system)
            return {};
        return r.direction == Direction::Outgoing ? deliveryDetail(r.id) : r.remote;
    default: return {};
    }
}

QHash<int, QByteArray> ConversationModel::roleNames() const
{
    return {{IdRole, "id"},
            {TextRole, "text"},
            {TimeRole, "time"},
            {DirectionRole, "direction"},
            {StateRole, "state"},
            {SystemRole, "system"},
            {SortKeyRole, "sortKey"},
            {FirstOfDayRole, "firstOfDay"},
            {AutoReplyRole, "autoReply"},
            {SenderRole, "sender"},
            {GroupDeliveryRole, "groupDelivery"},
            {SealedRole, "sealed"},
            {TransferRole, "transfer"}};
}

const QList<Messenger::MemberDelivery>& ConversationModel::memberStates(qint64 id) const
{
    auto it = m_memberStates.find(id);
    if (it == m_memberStates.end())
        it = m_memberStates.insert(id, m_messenger->groupDelivery(id));
    return *it;
}

QString ConversationModel::deliverySummary(qint64 id) const
{
    const QList<Messenger::MemberDelivery>& members = memberStates(id);
    const auto reached = std::count_if(members.cbegin(), members.cend(), [](const Messenger::MemberDelivery& d) {
        return d.state == MessageState::Delivered || d.state == MessageState::Read || d.state == MessageState::Sent;
    });
    if (reached == members.size())
        return tr("Delivered to all %n ✓", nullptr, int(members.size()));
    return tr("Delivered to %1 of %2").arg(reached).arg(members.size());
}

QString ConversationModel::deliveryDetail(qint64 id) const
{
    QStringList lines;
    for (const Messenger::MemberDelivery& d : memberStates(id)) {
        QString state;
        switch (d.state) {
        case MessageState::Delivered:
        case MessageState::Read:
        case MessageState::Sent: state = tr("delivered"); break;
        case MessageState::Failed: state = tr("not delivered"); break;
        case MessageState::Queued: state = tr("waiting until online"); break;
        default: state = tr("sending"); break;
        }
        lines.append(tr("%1 (%2): %3").arg(d.name, d.member, state));
    }
    return lines.join(u'\n');
}

bool ConversationModel::isFirstOfDay(int row) const
{
    if (row == 0)
        return true;
    return m_rows.at(row).day != m_rows.at(row - 1).day;
}

QModelIndex ConversationModel::indexOfId(qint64 id) const
{
    const int row = rowOfId(id);
    return row < 0 ? QModelIndex() : index(row);
}

int ConversationModel::rowOfId(qint64 id) const
{
    // Changes nearly always concern the newest messages: search from the end.
    for (qsizetype i = m_rows.size() - 1; i >= 0; --i)
        if (m_rows.at(i).id == id)
            return int(i);
    return -1;
}

void ConversationModel::insertRow(const Row& row)
{
    const auto at = std::upper_bound(m_rows.cbegin(), m_rows.cend(), row.sortKey,
                                     [](double key, const Row& r) { return key < r.sortKey; });
    const int pos = int(at - m_rows.cbegin());
    // Older than everything loaded while older pages exist: fetchMore() brings it in its place; newer than everything
    // loaded while newer pages exist: fetchNewer() does.
    if ((pos == 0 && m_hasOlder) || (pos == m_rows.size() && m_hasNewer))
        return;
    beginInsertRows({}, pos, pos);
    m_rows.insert(pos, row);
    endInsertRows();
    if (pos + 1 < m_rows.size()) {
        const QModelIndex next = index(pos + 1);
        Q_EMIT dataChanged(next, next, {FirstOfDayRole});
    }
}

void ConversationModel::onMessageAdded(const Message& message)
{
    if (message.peer != m_peer || m_peer.isEmpty() || rowOfId(message.id) >= 0)
        return;
    insertRow(toRow(message));
}

void ConversationModel::onDeliveryChanged(qint64 id, MessageState state)
{
    const int row = rowOfId(id);
    if (row < 0)
        return;
    Row& r = m_rows[row];
    // A group message changes member by member while its own state stays "sending".
    if (m_isGroup && m_memberStates.remove(id) && r.state == state) {
        const QModelIndex i = index(row);
        Q_EMIT dataChanged(i, i, {GroupDeliveryRole, Qt::ToolTipRole});
        return;
    }
    if (r.state == state)
        return;
    r.state = state;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, m_isGroup ? QList<int>{StateRole, GroupDeliveryRole} : QList<int>{StateRole});
    if (state == MessageState::Failed)
        addSystemLine(QT_TR_NOOP("A message could not be delivered."));
}

void ConversationModel::onMessageOpened(qint64 id)
{
    const int row = rowOfId(id);
    if (row < 0 || !m_rows.at(row).sealed)
        return;
    m_rows[row].sealed = false;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, {TextRole, SealedRole});
}

void ConversationModel::onPresenceChanged(const QString& peer, Presence presence)
{
    if (peer != m_peer || m_peer.isEmpty() || presence == Presence::Unknown)
        return;
    addSystemLine(presence == Presence::Online ? QT_TR_NOOP("%1 came online.") : QT_TR_NOOP("%1 went offline."),
                  {{peer}});
}

void ConversationModel::addSystemLine(const char* source, const QList<QStringList>& arguments)
{
    // Stored with the conversation (as a system line, which the conversation list and unread counts leave out), so
    // it is still there when the conversation is opened again.
    Message m;
    m.peer = m_peer;
    m.text = systemline::make(staticMetaObject.className(), source, arguments);
    m.time = QDateTime::currentDateTimeUtc();
    m.direction = Direction::Incoming;
    m.state = MessageState::Received;
    m.isSystem = true;
    Row r;
    if (m_history && m_history->append(m)) {
        r = toRow(m);
    } else {
        // Not stored (the disk is full): shown for now all the same.
        r.id = m_nextSystemId--;
        r.text = systemline::render(m.text);
        r.timeMs = m.time.toMSecsSinceEpoch();
        r.day = localDay(r.timeMs);
        r.sortKey = std::max(double(r.timeMs), m_rows.isEmpty() ? 0.0 : m_rows.last().sortKey + 0.0001);
        r.system = true;
    }
    insertRow(r);
}
