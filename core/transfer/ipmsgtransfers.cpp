#include "ipmsgtransfers.h"

#include "filesink.h"
#include "safename.h"
#include "textcodec.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QStorageInfo>
#include <QTcpSocket>

Q_LOGGING_CATEGORY(lcIpmsgFiles, "pigeon.ipmsgfiles", QtWarningMsg)

namespace {

// What marks a row of `transfers` as one of these: its manifest_sha (32 bytes for a Pigeon transfer) is this, and its
// manifest is this followed by the offer's numbers.
constexpr QLatin1StringView Tag("ipmsg:");
const QByteArray Marker = QByteArrayLiteral("ipmsg");
// A receiver flushes and records its progress after this many bytes or this long.
constexpr quint64 PersistBytes = 8u << 20;
constexpr qint64 PersistMs = 1000;
constexpr qint64 NotifyMs = 250;
// Free space kept beyond a transfer's size.
constexpr quint64 SpaceMargin = 1u << 20;
// A request is one IPMsg packet: "1:no:user:host:cmd:packetNo:fileID:offset" and its NUL.
constexpr qsizetype MaxRequestBytes = 2048;
// What the server keeps queued on a socket before it reads more from the disk.
constexpr qint64 SendQueueBytes = 256 * 1024;
constexpr qint64 ChunkBytes = 64 * 1024;
// Offers waiting for the user, per peer and in all (as Transfers).
constexpr int MaxWaitingPerPeer = Transfers::MaxWaitingPerPeer;
constexpr int MaxWaiting = Transfers::MaxWaiting;
// How long an offer's packet number marks a repetition of it.
constexpr qint64 RepeatedOfferMs = 60'000;

bool sameHost(const QHostAddress& a, const QHostAddress& b)
{
    return a.isEqual(b, QHostAddress::TolerantConversion);
}

} // namespace

struct IpmsgTransfers::Item {
    TransferRecord r;
    Endpoint peer;
    quint64 packetNo = 0;
    quint32 fileId = 0;
    quint32 kind = ipmsgfiles::KindFile;
    bool utf8 = false; // names in this offer's stream are UTF-8 (UTF8OPT on the offer)
    // Sending: the offer until RECVMSG.
    bool acknowledged = false;
    int offerSends = 0;
    qint64 nextOfferMs = 0;
    QByteArray offerBytes; // the extension sent
    quint32 offerCommand = 0;
    quint64 served = 0; // bytes written to the receiver
    // Receiving.
    QPointer<QTcpSocket> socket;
    std::unique_ptr<FileSink> sink;
    QByteArray buffer;
    quint64 received = 0; // bytes of the file, or of all files of the folder, on disk
    quint64 from = 0;     // offset asked for
    int resumes = 0;
    qint64 lastMs = 0;
    quint64 persistedBytes = 0;
    qint64 persistedMs = 0;
    quint64 available = 0; // free space when accepted (a folder's size is not known before)
    // A folder stream: the folders open, bytes left of the current file, paths seen (case-folded).
    QStringList folders;
    quint64 fileLeft = 0;
    bool skipping = false;
    bool streamDone = false;
    QSet<QString> paths;
    qint64 notifiedMs = -NotifyMs;

    bool active() const { return r.state == TransferState::Offered || r.state == TransferState::Moving; }
};

// One TCP connection of the sending side.
struct IpmsgTransfers::Serving {
    QTcpSocket* socket = nullptr;
    QByteArray request;
    quint64 itemId = 0;
    qint64 lastMs = 0;
    // What goes out: headers and files in order (a folder), or the one file from an offset.
    struct Step {
        QByteArray header;
        QString path; // empty: a header only
        quint64 size = 0;
    };
    QList<Step> steps;
    qsizetype step = -1;
    std::unique_ptr<QFile> file;
    quint64 left = 0;
};

IpmsgTransfers::IpmsgTransfers(Messenger* messenger, const QSqlDatabase& db, QObject* parent)
    : QObject(parent)
    , m_messenger(messenger)
    , m_store(db)
{
    m_clock.start();
    m_timer.setInterval(250);
    connect(&m_timer, &QTimer::timeout, this, &IpmsgTransfers::tick);
    connect(&m_server, &QTcpServer::newConnection, this, &IpmsgTransfers::onConnection);
    m_messenger->setIpmsgFileHandler([this](const ipmsg::Packet& p, const Endpoint& from) { onPacket(p, from); });
}

IpmsgTransfers::~IpmsgTransfers()
{
    m_messenger->setIpmsgFileHandler({});
    for (Serving* s : std::as_const(m_serving)) {
        s->socket->disconnect(this);
        s->socket->abort();
        delete s->socket;
        delete s;
    }
    for (Item* item : std::as_const(m_items)) {
        if (item->socket) {
            item->socket->disconnect(this);
            item->socket->abort();
            delete item->socket;
        }
        delete item;
    }
}

bool IpmsgTransfers::isIpmsg(const TransferRecord& record)
{
    return record.manifestSha256 == Marker && record.manifest.startsWith(Tag.latin1());
}

void IpmsgTransfers::setAutoAccept(bool on, quint64 maxBytes)
{
    m_autoAccept = on;
    m_autoMaxBytes = maxBytes;
}

QString IpmsgTransfers::decodeName(const QByteArray& name, bool utf8, const Endpoint& from) const
{
    return textcodec::decode(name, utf8, m_messenger->encodingOf(from), m_messenger->legacyEncoding());
}

namespace {

// "ipmsg:packetNo:fileID:kind:utf8", hex.
QByteArray tagOf(quint64 packetNo, quint32 fileId, quint32 kind, bool utf8)
{
    return QByteArray(Tag.latin1()) + QByteArray::number(packetNo, 16) + ':' + QByteArray::number(fileId, 16) + ':' +
           QByteArray::number(kind, 16) + ':' + (utf8 ? '1' : '0');
}

} // namespace

void IpmsgTransfers::start(const QList<TransferRecord>& unfinished)
{
    for (const TransferRecord& r : unfinished) {
        const QList<QByteArray> f = r.manifest.mid(Tag.size()).split(':');
        auto* item = new Item;
        item->r = r;
        item->peer = Endpoint::parse(r.remote).value_or(Endpoint{});
        if (f.size() == 4) {
            item->packetNo = f[0].toULongLong(nullptr, 16);
            item->fileId = f[1].toUInt(nullptr, 16);
            item->kind = f[2].toUInt(nullptr, 16);
            item->utf8 = f[3] == "1";
        }
        m_items.insert(r.id, item);
        if (r.outgoing) {
            end(*item, TransferState::Failed, tr("Pigeon stopped while offering it; send it again"));
        } else if (r.state == TransferState::Moving) {
            if (item->kind != ipmsgfiles::KindFile) {
                end(*item, TransferState::Failed,
                    tr("Pigeon stopped during the folder; ask the sender to send it again"));
                continue;
            }
            item->received = r.done;
            item->sink = std::make_unique<FileSink>(r.source, r.id,
                                                    QList<filewire::Entry>{{r.name, false, r.totalBytes, {}}}, 0);
            QString why;
            if (!item->sink->prepare(&why)) {
                fail(*item, why);
                continue;
            }
            fetch(*item);
        }
    }
}

void IpmsgTransfers::stop()
{
    for (Item* item : std::as_const(m_items))
        if (!item->r.outgoing && item->r.state == TransferState::Moving)
            persist(*item);
}

void IpmsgTransfers::onPacket(const ipmsg::Packet& p, const Endpoint& from)
{
    switch (p.mode()) {
    case ipmsg::SendMsg: onOffer(p, from); break;
    case ipmsg::ReleaseFiles: onReleased(p.text().trimmed().toULongLong(), from); break;
    case ipmsg::RecvMsg: {
        const quint64 no = p.text().trimmed().toULongLong();
        for (Item* item : std::as_const(m_items))
            if (item->r.outgoing && item->packetNo == no && item->peer == from)
                item->acknowledged = true;
        break;
    }
    default: break;
    }
}

void IpmsgTransfers::onOffer(const ipmsg::Packet& p, const Endpoint& from)
{
    const qsizetype nul = p.extension.indexOf('\0');
    // A repeated offer (the sender did not hear our RECVMSG) is the same transfers. iptux numbers its packets from 1
    // at each start, so an old number counts only for a while.
    const qint64 recent = QDateTime::currentMSecsSinceEpoch() - RepeatedOfferMs;
    for (const Item* item : std::as_const(m_items))
        if (!item->r.outgoing && item->packetNo == p.packetNo && item->peer == from &&
            (item->active() || item->r.timeMs >= recent))
            return;
    int waiting = 0;
    int waitingHere = 0;
    for (const Item* item : std::as_const(m_items))
        if (!item->r.outgoing && item->r.state == TransferState::Offered) {
            ++waiting;
            waitingHere += item->peer == from ? 1 : 0;
        }
    if (waiting >= MaxWaiting || waitingHere >= MaxWaitingPerPeer || !m_messenger->admitStranger(from))
        return;
    QString why;
    const bool utf8 = p.has(ipmsg::Utf8Opt);
    auto attachments =
        ipmsgfiles::decodeAttachments(nul < 0 ? QByteArrayView() : QByteArrayView(p.extension).sliced(nul + 1), &why);
    const auto make = [&](const QString& name) {
        auto* item = new Item;
        item->r.id = QRandomGenerator::system()->generate64() | 1;
        item->r.outgoing = false;
        item->r.peer = m_messenger->peerFor(from);
        item->r.remote = from.toString();
        item->r.name = name;
        item->r.source = m_downloads;
        item->r.timeMs = QDateTime::currentMSecsSinceEpoch();
        item->r.manifestSha256 = Marker;
        item->peer = from;
        item->packetNo = p.packetNo;
        item->utf8 = utf8;
        m_items.insert(item->r.id, item);
        return item;
    };
    if (!attachments) {
        // Shown, never dropped silently: the user hears that something came and why it cannot be taken.
        Item* item = make(tr("files from %1").arg(m_messenger->peerFor(from)));
        item->r.manifest = tagOf(p.packetNo, 0, 0, utf8);
        m_store.save(item->r);
        Q_EMIT offered(infoOf(*item));
        end(*item, TransferState::Failed, tr("the offer cannot be read: %1").arg(why));
        return;
    }
    for (const ipmsgfiles::Attachment& a : std::as_const(*attachments)) {
        if (waitingHere++ >= MaxWaitingPerPeer)
            break;
        const QString name = decodeName(a.name, utf8, from);
        Item* item = make(name);
        item->fileId = a.fileId;
        item->kind = a.kind();
        item->r.totalBytes = a.size;
        item->r.files = a.kind() == ipmsgfiles::KindFile ? 1 : 0;
        item->r.manifest = tagOf(p.packetNo, a.fileId, a.kind(), utf8);
        QString refusal = safename::checkComponent(name);
        if (refusal.isEmpty() && a.kind() != ipmsgfiles::KindFile && a.kind() != ipmsgfiles::KindDirectory)
            refusal = tr("an entry of kind %1, which Pigeon does not take").arg(a.kind());
        if (!refusal.isEmpty())
            item->r.name = name.left(64);
        if (!m_store.save(item->r))
            qCWarning(lcIpmsgFiles) << "an offer could not be stored:" << m_store.error();
        Q_EMIT offered(infoOf(*item));
        if (!refusal.isEmpty()) {
            end(*item, TransferState::Failed, refusal);
            continue;
        }
        if (m_autoAccept && m_messenger->isContact(from) && a.size <= m_autoMaxBytes) {
            QString error;
            if (!accept(item->r.id, &error, {}))
                Q_EMIT changed(infoOf(*item));
        }
    }
}

void IpmsgTransfers::onReleased(quint64 packetNo, const Endpoint& from)
{
    for (Item* item : std::as_const(m_items)) {
        if (item->packetNo != packetNo || !sameHost(item->peer.address, from.address) || !item->active())
            continue;
        if (item->r.outgoing) {
            end(*item, TransferState::Declined);
        } else if (item->r.state == TransferState::Offered) {
            end(*item, TransferState::Cancelled, tr("withdrawn by %1").arg(item->r.peer));
        }
    }
}

quint64 IpmsgTransfers::offer(const Messenger::Route& route, const QString& path, QString* error)
{
    const auto failWith = [error](const QString& why) -> quint64 {
        if (error)
            *error = why;
        return 0;
    };
    const QFileInfo root(path);
    if (!root.exists() || root.isSymLink())
        return failWith(tr("%1: no such file or folder.").arg(path));
    const QString name = root.fileName();
    if (const QString why = safename::checkComponent(name); !why.isEmpty())
        return failWith(tr("%1 cannot be sent: %2.").arg(name, why));
    quint64 total = 0;
    quint32 files = 0;
    if (root.isDir()) {
        QDirIterator it(root.filePath(), QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            total += quint64(it.nextFileInfo().size());
            ++files;
        }
    } else {
        if (!QFile(root.filePath()).open(QIODevice::ReadOnly))
            return failWith(tr("%1 cannot be read.").arg(path));
        total = quint64(root.size());
        files = 1;
    }
    if (!ensureListening(error))
        return 0;
    auto* item = new Item;
    item->r.id = QRandomGenerator::system()->generate64() | 1;
    item->r.outgoing = true;
    item->r.peer = route.peer;
    item->peer = *route.endpoint;
    item->r.remote = item->peer.toString();
    item->r.name = name;
    item->r.totalBytes = total;
    item->r.files = files;
    item->r.source = root.absoluteFilePath();
    item->r.timeMs = QDateTime::currentMSecsSinceEpoch();
    item->r.manifestSha256 = Marker;
    item->kind = root.isDir() ? ipmsgfiles::KindDirectory : ipmsgfiles::KindFile;
    item->utf8 = route.encoding == TextEncoding::Utf8;
    const ipmsgfiles::Attachment a{item->fileId, textcodec::encode(name, route.encoding), total,
                                   quint64(root.lastModified().toSecsSinceEpoch()), item->kind};
    item->offerBytes = QByteArray(1, '\0') + ipmsgfiles::encodeAttachments({a});
    item->offerCommand =
        ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::FileAttachOpt | (item->utf8 ? ipmsg::Utf8Opt : 0);
    item->packetNo = m_messenger->sendIpmsg(item->offerCommand, item->offerBytes, item->peer);
    item->offerSends = 1;
    item->nextOfferMs = now() + m_limits.offerRepeatMs;
    item->r.manifest = tagOf(item->packetNo, item->fileId, item->kind, item->utf8);
    if (!m_store.save(item->r)) {
        const QString why = m_store.error();
        delete item;
        return failWith(why);
    }
    m_items.insert(item->r.id, item);
    notify(*item, true);
    m_timer.start();
    return item->r.id;
}

void IpmsgTransfers::sendOffer(Item& item)
{
    m_messenger->sendIpmsg(item.offerCommand, item.offerBytes, item.peer, item.packetNo);
    ++item.offerSends;
    item.nextOfferMs = now() + m_limits.offerRepeatMs;
}

bool IpmsgTransfers::accept(quint64 id, QString* error, const QString& folder)
{
    Item* item = m_items.value(id);
    const auto failWith = [error](const QString& why) {
        if (error)
            *error = why;
        return false;
    };
    if (!item || item->r.outgoing || item->r.state != TransferState::Offered)
        return failWith(tr("There is no waiting offer %1.").arg(id));
    const QString target = folder.isEmpty() ? m_downloads : folder;
    if (!QDir().mkpath(target))
        return failWith(tr("The folder %1 cannot be created.").arg(target));
    const qint64 available = QStorageInfo(target).bytesAvailable();
    if (available >= 0 && quint64(available) < item->r.totalBytes + SpaceMargin)
        return failWith(tr("%1 needs %2 bytes, and %3 has only %4 free.")
                            .arg(item->r.name)
                            .arg(item->r.totalBytes)
                            .arg(target)
                            .arg(available));
    item->available = available >= 0 ? quint64(available) - std::min<quint64>(quint64(available), SpaceMargin)
                                     : std::numeric_limits<quint64>::max();
    item->r.source = QFileInfo(target).absoluteFilePath();
    item->r.state = TransferState::Moving;
    const bool isFile = item->kind == ipmsgfiles::KindFile;
    item->sink = std::make_unique<FileSink>(
        item->r.source, item->r.id,
        QList<filewire::Entry>{{item->r.name, !isFile, isFile ? item->r.totalBytes : 0, {}}}, 0);
    QString why;
    if (!item->sink->prepare(&why)) {
        fail(*item, why);
        return failWith(why);
    }
    if (!m_store.update(item->r))
        qCWarning(lcIpmsgFiles) << "a transfer could not be stored:" << m_store.error();
    fetch(*item);
    notify(*item, true);
    return true;
}

void IpmsgTransfers::fetch(Item& item)
{
    auto* socket = new QTcpSocket(this);
    item.socket = socket;
    item.buffer.clear();
    item.lastMs = now();
    const bool isFile = item.kind == ipmsgfiles::KindFile;
    // iptux sends a file from its start whatever the offset (SendFileData::SendRegularFile): ask it for everything.
    item.from = isFile && !m_messenger->versionOf(item.peer).contains("iptux") ? item.received : 0;
    item.received = item.from;
    const quint64 id = item.r.id;
    connect(socket, &QTcpSocket::connected, this, [this, id, isFile]() {
        Item* it = m_items.value(id);
        if (!it || !it->socket)
            return;
        const ipmsgfiles::FileRequest request{it->packetNo, it->fileId, it->from};
        it->socket->write(m_messenger->ipmsgRequest(isFile ? ipmsg::GetFileData : ipmsg::GetDirFiles,
                                                    ipmsgfiles::encodeRequest(request, isFile)));
    });
    connect(socket, &QTcpSocket::readyRead, this, [this, id]() {
        if (Item* it = m_items.value(id))
            onFetchData(*it);
    });
    connect(socket, &QTcpSocket::disconnected, this, [this, id]() {
        if (Item* it = m_items.value(id))
            onFetchClosed(*it);
    });
    connect(socket, &QTcpSocket::errorOccurred, this, [this, id](QAbstractSocket::SocketError e) {
        Item* it = m_items.value(id);
        // A peer that closes after the last byte is no error; anything else (refused, reset) ends this try.
        if (it && e != QAbstractSocket::RemoteHostClosedError && it->socket &&
            it->socket->state() != QAbstractSocket::ConnectedState)
            onFetchClosed(*it);
    });
    // From the address the UDP side uses: the sender answers only peers it knows by address (iptux's
    // SendFile::RequestDataEntry looks the connecting address up among its pals).
    const QHostAddress local = m_messenger->localEndpoint().address;
    if (!local.isNull() && local != QHostAddress::Any && local != QHostAddress::AnyIPv6 &&
        local != QHostAddress::AnyIPv4)
        socket->bind(local);
    socket->connectToHost(item.peer.address, item.peer.port);
    m_timer.start();
}

void IpmsgTransfers::onFetchData(Item& item)
{
    if (!item.socket || item.r.state != TransferState::Moving)
        return;
    item.lastMs = now();
    QString why;
    if (item.kind == ipmsgfiles::KindFile) {
        while (item.socket->bytesAvailable() > 0) {
            const QByteArray bytes = item.socket->read(ChunkBytes);
            if (item.received + quint64(bytes.size()) > item.r.totalBytes) {
                fail(item, tr("the sender sent more than the %1 bytes it offered").arg(item.r.totalBytes));
                return;
            }
            if (!item.sink->write(item.received, bytes, &why)) {
                fail(item, why);
                return;
            }
            item.received += quint64(bytes.size());
        }
    } else {
        item.buffer += item.socket->readAll();
        if (!takeHeaders(item, &why)) {
            fail(item, why);
            return;
        }
        if (item.streamDone) {
            complete(item);
            return;
        }
    }
    if (item.received >= item.persistedBytes + PersistBytes || now() - item.persistedMs >= PersistMs)
        persist(item);
    notify(item, false);
}

// Consumes the folder stream in item.buffer: file bytes into the sink, headers into folders and files.
bool IpmsgTransfers::takeHeaders(Item& item, QString* error)
{
    qsizetype at = 0;
    while (at < item.buffer.size() && !item.streamDone) {
        if (item.fileLeft > 0) {
            const qsizetype n = qsizetype(std::min<quint64>(item.fileLeft, quint64(item.buffer.size() - at)));
            if (!item.skipping) {
                if (!item.sink->write(item.sink->end() - item.fileLeft, QByteArrayView(item.buffer).sliced(at, n),
                                      error))
                    return false;
                item.received += quint64(n);
            }
            item.fileLeft -= quint64(n);
            at += n;
            continue;
        }
        ipmsgfiles::Header h;
        qsizetype used = 0;
        switch (ipmsgfiles::parseHeader(QByteArrayView(item.buffer).sliced(at), &h, &used, error)) {
        case ipmsgfiles::ParseStatus::NeedMore: item.buffer.remove(0, at); return true;
        case ipmsgfiles::ParseStatus::Error: return false;
        case ipmsgfiles::ParseStatus::Ok: break;
        }
        at += used;
        if (item.folders.isEmpty()) {
            // The first header is the offered folder itself; it is saved under the offered (checked) name.
            if (h.kind() != ipmsgfiles::KindDirectory) {
                *error = tr("the folder stream does not start with a folder");
                return false;
            }
            item.folders.append(item.r.name);
            continue;
        }
        if (h.kind() == ipmsgfiles::KindReturnParent) {
            item.folders.removeLast();
            item.streamDone = item.folders.isEmpty();
            continue;
        }
        const QString name = decodeName(h.name, item.utf8, item.peer);
        const QString path = item.folders.join(u'/') + u'/' + name;
        if (const QString why = safename::checkComponent(name); !why.isEmpty()) {
            *error = tr("%1: %2").arg(name.left(64), why);
            return false;
        }
        if (const QString why = safename::checkPath(path); !why.isEmpty()) {
            *error = tr("%1: %2").arg(path.left(128), why);
            return false;
        }
        if (h.kind() != ipmsgfiles::KindFile && h.kind() != ipmsgfiles::KindDirectory) {
            // iptux writes such entries nowhere too (RecvFileData::RecvDirFiles); skipped, with their bytes.
            item.skipping = true;
            item.fileLeft = h.size;
            continue;
        }
        if (item.paths.size() >= int(filewire::MaxEntries) || item.paths.contains(path.toCaseFolded())) {
            *error = tr("%1: a name twice, or too many names").arg(path.left(128));
            return false;
        }
        item.paths.insert(path.toCaseFolded());
        const bool folder = h.kind() == ipmsgfiles::KindDirectory;
        if (!folder && item.sink->end() + h.size > item.available) {
            *error = tr("the folder is larger than the free space (%1 bytes)").arg(item.available);
            return false;
        }
        if (!item.sink->append({path, folder, folder ? 0 : h.size, {}}, error))
            return false;
        item.skipping = false;
        if (folder) {
            item.folders.append(name);
        } else {
            item.fileLeft = h.size;
            item.r.totalBytes = std::max(item.r.totalBytes, item.sink->end());
            ++item.r.files;
        }
    }
    item.buffer.remove(0, at);
    return true;
}

void IpmsgTransfers::onFetchClosed(Item& item)
{
    if (item.socket && item.socket->bytesAvailable() > 0)
        onFetchData(item);
    if (!item.socket || item.r.state != TransferState::Moving)
        return;
    item.socket->disconnect(this);
    item.socket->deleteLater();
    item.socket = nullptr;
    if (item.kind == ipmsgfiles::KindFile && item.received == item.r.totalBytes) {
        complete(item);
        return;
    }
    if (item.kind != ipmsgfiles::KindFile) {
        fail(item, item.folders.isEmpty() && item.sink->end() == 0
                       ? tr("%1 did not send the folder").arg(item.r.peer)
                       : tr("the connection closed in the middle of the folder"));
        return;
    }
    // A short file: ask for the rest from what is on disk, a few times.
    persist(item);
    if (item.r.state != TransferState::Moving)
        return;
    if (item.resumes++ < m_limits.resumes) {
        qCDebug(lcIpmsgFiles) << "resuming" << item.r.name << "at" << item.received;
        fetch(item);
        return;
    }
    fail(item, tr("the connection closed after %1 of %2 bytes").arg(item.received).arg(item.r.totalBytes));
}

void IpmsgTransfers::complete(Item& item)
{
    if (item.socket) {
        item.socket->disconnect(this);
        item.socket->abort();
        item.socket->deleteLater();
        item.socket = nullptr;
    }
    QString saved;
    QString why;
    if (!item.sink->finish(&saved, &why)) {
        fail(item, why);
        return;
    }
    item.r.saved = saved;
    item.r.done = item.received;
    item.r.totalBytes = item.received;
    end(item, TransferState::Done);
}

void IpmsgTransfers::fail(Item& item, const QString& why)
{
    if (item.sink)
        item.sink->discard();
    // The sender may forget the offer: IP Messenger expects RELEASEFILES when the receiver gives up.
    if (!item.r.outgoing)
        m_messenger->sendIpmsg(ipmsg::ReleaseFiles, QByteArray::number(item.packetNo), item.peer);
    end(item, TransferState::Failed, why);
}

void IpmsgTransfers::end(Item& item, TransferState state, const QString& error)
{
    item.r.state = state;
    item.r.error = error;
    if (item.socket) {
        item.socket->disconnect(this);
        item.socket->abort();
        item.socket->deleteLater();
        item.socket = nullptr;
    }
    item.sink.reset();
    for (Serving* s : QList<Serving*>(m_serving))
        if (s->itemId == item.r.id && state != TransferState::Done)
            dropServing(s);
    if (!m_store.update(item.r))
        qCWarning(lcIpmsgFiles) << "a transfer's end could not be stored:" << m_store.error();
    notify(item, true);
    Q_EMIT finished(infoOf(item));
}

void IpmsgTransfers::persist(Item& item)
{
    QString why;
    if (item.sink && !item.sink->sync(&why)) {
        fail(item, why);
        return;
    }
    item.r.done = item.kind == ipmsgfiles::KindFile ? item.received : 0;
    item.persistedBytes = item.received;
    item.persistedMs = now();
    if (!m_store.update(item.r))
        qCWarning(lcIpmsgFiles) << "progress could not be stored:" << m_store.error();
}

bool IpmsgTransfers::decline(quint64 id)
{
    Item* item = m_items.value(id);
    if (!item || item->r.outgoing || item->r.state != TransferState::Offered)
        return false;
    m_messenger->sendIpmsg(ipmsg::ReleaseFiles, QByteArray::number(item->packetNo), item->peer);
    end(*item, TransferState::Declined);
    return true;
}

bool IpmsgTransfers::cancel(quint64 id)
{
    Item* item = m_items.value(id);
    if (!item || !item->active())
        return false;
    if (item->sink)
        item->sink->discard();
    if (!item->r.outgoing)
        m_messenger->sendIpmsg(ipmsg::ReleaseFiles, QByteArray::number(item->packetNo), item->peer);
    end(*item, TransferState::Cancelled);
    return true;
}

QList<Transfers::Info> IpmsgTransfers::transfers() const
{
    QList<Transfers::Info> out;
    for (const Item* item : std::as_const(m_items))
        out.append(infoOf(*item));
    return out;
}

void IpmsgTransfers::renamePeer(const QString& from, const QString& to)
{
    for (Item* item : std::as_const(m_items))
        if (item->r.peer == from)
            item->r.peer = to;
}

std::optional<Transfers::Info> IpmsgTransfers::info(quint64 id) const
{
    if (const Item* item = m_items.value(id))
        return infoOf(*item);
    return std::nullopt;
}

Transfers::Info IpmsgTransfers::infoOf(const Item& item) const
{
    Transfers::Info info;
    info.id = item.r.id;
    info.outgoing = item.r.outgoing;
    info.peer = item.r.peer;
    info.name = item.r.name;
    info.totalBytes = item.r.totalBytes;
    info.files = item.r.files;
    info.state = item.r.state;
    info.doneBytes = item.r.state == TransferState::Done ? item.r.totalBytes
                     : item.r.outgoing                   ? std::min(item.served, item.r.totalBytes)
                                                         : item.received;
    info.saved = item.r.saved;
    info.error = item.r.error;
    info.timeMs = item.r.timeMs;
    return info;
}

void IpmsgTransfers::notify(Item& item, bool force)
{
    if (!force && now() - item.notifiedMs < NotifyMs)
        return;
    item.notifiedMs = now();
    Q_EMIT changed(infoOf(item));
}

bool IpmsgTransfers::ensureListening(QString* error)
{
    if (m_server.isListening())
        return true;
    const Endpoint local = m_messenger->localEndpoint();
    m_server.setMaxPendingConnections(m_limits.maxConnections);
    if (local.port == 0 || !m_server.listen(local.address, local.port)) {
        if (error)
            *error = tr("Files to IP Messenger peers need TCP port %1 on %2: %3")
                         .arg(local.port)
                         .arg(local.address.toString(), m_server.errorString());
        return false;
    }
    return true;
}

void IpmsgTransfers::onConnection()
{
    while (QTcpSocket* socket = m_server.nextPendingConnection()) {
        // Only a peer with an offer outstanding to its address, and only so many at once.
        bool expected = false;
        for (const Item* item : std::as_const(m_items))
            expected =
                expected || (item->r.outgoing && item->active() && sameHost(item->peer.address, socket->peerAddress()));
        if (!expected || m_serving.size() >= m_limits.maxConnections) {
            qCDebug(lcIpmsgFiles) << "refused a TCP connection from" << socket->peerAddress();
            socket->abort();
            socket->deleteLater();
            continue;
        }
        auto* s = new Serving;
        s->socket = socket;
        s->lastMs = now();
        m_serving.append(s);
        connect(socket, &QTcpSocket::readyRead, this, [this, s]() {
            s->lastMs = now();
            if (s->itemId)
                return; // a request was read; nothing else is expected
            s->request += s->socket->read(MaxRequestBytes - s->request.size() + 1);
            if (s->request.contains('\0'))
                onRequest(*s);
            else if (s->request.size() > MaxRequestBytes)
                dropServing(s);
        });
        connect(socket, &QTcpSocket::bytesWritten, this, [this, s]() {
            s->lastMs = now();
            pumpServing(*s);
        });
        connect(socket, &QTcpSocket::disconnected, this, [this, s]() { dropServing(s); });
    }
    m_timer.start();
}

void IpmsgTransfers::onRequest(Serving& s)
{
    const ipmsg::DecodeResult decoded = ipmsg::decode(s.request.left(s.request.indexOf('\0') + 1));
    QString why;
    const auto request = decoded.packet ? ipmsgfiles::decodeRequest(decoded.packet->extension, &why) : std::nullopt;
    const quint32 mode = decoded.packet ? decoded.packet->mode() : 0;
    Item* item = nullptr;
    if (request && (mode == ipmsg::GetFileData || mode == ipmsg::GetDirFiles))
        for (Item* candidate : std::as_const(m_items))
            if (candidate->r.outgoing && candidate->active() && candidate->packetNo == request->packetNo &&
                candidate->fileId == request->fileId && sameHost(candidate->peer.address, s.socket->peerAddress()) &&
                (candidate->kind == ipmsgfiles::KindFile) == (mode == ipmsg::GetFileData))
                item = candidate;
    if (!item || (item->kind == ipmsgfiles::KindFile && request->offset > item->r.totalBytes)) {
        qCDebug(lcIpmsgFiles) << "refused a file request from" << s.socket->peerAddress() << why;
        dropServing(&s);
        return;
    }
    s.itemId = item->r.id;
    item->acknowledged = true;
    item->r.state = TransferState::Moving;
    const TextEncoding encoding = item->utf8 ? TextEncoding::Utf8 : m_messenger->wireEncoding(item->peer);
    if (item->kind == ipmsgfiles::KindFile) {
        s.steps.append({{}, item->r.source, item->r.totalBytes});
        s.file = std::make_unique<QFile>(item->r.source);
        if (!s.file->open(QIODevice::ReadOnly) || !s.file->seek(qint64(request->offset))) {
            fail(*item, tr("%1 cannot be read: %2").arg(item->r.source, s.file->errorString()));
            dropServing(&s);
            return;
        }
        s.step = 0;
        s.left = item->r.totalBytes - request->offset;
        item->served = request->offset;
    } else {
        // The folder, depth first, each folder closed by RETPARENT (as iptux's SendFileData::SendDirFiles).
        const std::function<void(const QFileInfo&)> walk = [&](const QFileInfo& info) {
            const quint64 mtime = quint64(std::max<qint64>(0, info.lastModified().toSecsSinceEpoch()));
            const QByteArray name = textcodec::encode(info.fileName(), encoding);
            if (info.isDir()) {
                s.steps.append({ipmsgfiles::encodeHeader({name, 0, ipmsgfiles::KindDirectory, mtime}), {}, 0});
                const QFileInfoList children =
                    QDir(info.filePath())
                        .entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::NoSymLinks,
                                       QDir::Name);
                for (const QFileInfo& child : children)
                    walk(child);
                s.steps.append({ipmsgfiles::encodeHeader({".", 0, ipmsgfiles::KindReturnParent, mtime}), {}, 0});
            } else if (info.isFile()) {
                s.steps.append({ipmsgfiles::encodeHeader({name, quint64(info.size()), ipmsgfiles::KindFile, mtime}),
                                info.filePath(), quint64(info.size())});
            }
        };
        walk(QFileInfo(item->r.source));
        item->served = 0;
    }
    notify(*item, true);
    pumpServing(s);
}

void IpmsgTransfers::pumpServing(Serving& s)
{
    Item* item = m_items.value(s.itemId);
    if (!item || !s.socket)
        return;
    while (s.socket->bytesToWrite() < SendQueueBytes) {
        if (s.file && s.left > 0) {
            const QByteArray bytes = s.file->read(qint64(std::min<quint64>(s.left, ChunkBytes)));
            if (bytes.isEmpty()) {
                fail(*item, tr("%1 changed after it was offered.").arg(s.file->fileName()));
                return;
            }
            s.socket->write(bytes);
            s.left -= quint64(bytes.size());
            item->served += quint64(bytes.size());
            continue;
        }
        s.file.reset();
        if (s.step + 1 >= s.steps.size()) {
            if (s.socket->bytesToWrite() == 0 && s.socket->state() == QAbstractSocket::ConnectedState) {
                // Everything is out: the receiver sees the end when the connection closes.
                s.step = s.steps.size();
                s.socket->disconnectFromHost();
                // A folder is done when its stream is out, even if its files changed size since the offer.
                if (item->active() && (item->kind != ipmsgfiles::KindFile || item->served >= item->r.totalBytes))
                    end(*item, TransferState::Done);
            }
            break;
        }
        const Serving::Step& next = s.steps[++s.step];
        if (!next.header.isEmpty())
            s.socket->write(next.header);
        if (!next.path.isEmpty()) {
            s.file = std::make_unique<QFile>(next.path);
            if (!s.file->open(QIODevice::ReadOnly)) {
                fail(*item, tr("%1 cannot be read: %2").arg(next.path, s.file->errorString()));
                return;
            }
            s.left = next.size;
        }
    }
    notify(*item, false);
}

void IpmsgTransfers::dropServing(Serving* s)
{
    if (!m_serving.removeOne(s))
        return;
    s->socket->disconnect(this);
    s->socket->abort();
    s->socket->deleteLater();
    delete s;
}

void IpmsgTransfers::tick()
{
    const qint64 at = now();
    bool busy = !m_serving.isEmpty();
    bool offering = false;
    for (Item* item : std::as_const(m_items)) {
        if (!item->active())
            continue;
        if (item->r.outgoing) {
            offering = true;
            if (!item->acknowledged && item->offerSends < m_limits.offerSends && at >= item->nextOfferMs)
                sendOffer(*item);
        } else if (item->socket) {
            busy = true;
            if (at - item->lastMs >= m_limits.idleMs) {
                qCDebug(lcIpmsgFiles) << "no bytes for" << m_limits.idleMs << "ms:" << item->r.name;
                item->socket->abort();
            }
        }
    }
    for (Serving* s : QList<Serving*>(m_serving))
        if (at - s->lastMs >= m_limits.idleMs)
            dropServing(s);
    // The TCP side listens only while something is offered to an IP Messenger peer.
    if (!offering && m_serving.isEmpty())
        m_server.close();
    if (!busy && !offering)
        m_timer.stop();
}
