#include "transfers.h"

#include "filesink.h"
#include "history.h"
#include "ipmsgtransfers.h"
#include "messenger.h"
#include "offerpreparation.h"
#include "rangeset.h"
#include "safename.h"
#include "sha256.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QStorageInfo>
#include <QtEndian>

Q_LOGGING_CATEGORY(lcTransfers, "pigeon.transfers", QtWarningMsg)

namespace {

// How often a side that waits repeats itself: an offer until it is seen, an Accept while no data comes, an Offer as
// a probe after everything was acknowledged but no Done came. Doubles up to the maximum while nothing is heard.
constexpr qint64 ProbeMs = 500;
constexpr qint64 MaxProbeMs = 30'000;
// A receiver flushes and records its progress after this many bytes or this long.
constexpr quint64 PersistBytes = 8u << 20;
constexpr qint64 PersistMs = 1000;
// Datagrams one pump sends before it lets the event loop run (chat and acknowledgements go in between).
constexpr int PumpBurst = 64;
// Free space kept beyond a transfer's size when accepting it.
constexpr quint64 SpaceMargin = 1u << 20;
// Delayed SACK: in-order data is acknowledged once per pass of the event loop (after the transport's batch of
// datagrams), or after this many datagrams, whichever comes first; a datagram that leaves a hole is acknowledged at
// once, so that the sender's loss detection is as quick as before. On loopback one SACK per datagram cost as much as
// the data itself; every 32nd (with GRO a pass reads many datagrams) took 64 MiB from 284 to 303 MiB/s against every
// 8th, while on a shaped link a pass of the event loop holds a few datagrams, so the ACK clock stays fine there; every
// 64th stalled the window on loopback.
constexpr int SackEvery = 32;
// Progress signals per transfer at most this often, ms.
constexpr qint64 NotifyMs = 250;

} // namespace

struct Transfers::Transfer {
    TransferRecord r;
    Endpoint to;
    QList<filewire::Entry> entries;
    QList<quint64> starts; // stream offset of each entry's contents (folders: where the next file starts)
    qint64 nextProbeMs = 0;
    qint64 probeMs = ProbeMs;
    OfferPreparation* preparation = nullptr; // while Preparing (a child of Transfers)
    // Sending.
    std::unique_ptr<SendWindow> window;
    std::unique_ptr<QFile> reading;
    int readingEntry = -1;
    // Receiving.
    RangeSet received;
    std::unique_ptr<FileSink> sink;
    qint64 lastDataMs = 0;
    quint64 persistedBytes = 0;
    qint64 persistedMs = 0;
    int unacknowledged = 0; // datagrams received and not yet acknowledged (delayed SACK)
    quint64 lastDataAt = 0; // offset of the newest data datagram: its SACK lists the ranges above it
    // Progress.
    quint64 rateBytes = 0;
    qint64 rateSinceMs = 0;
    double rate = 0;
    qint64 notifiedMs = -NotifyMs;

    quint64 streamEnd() const { return r.manifestBytes + r.totalBytes; }
    quint64 doneBytes() const
    {
        const quint64 at = window                             ? window->acknowledged()
                           : r.state == TransferState::Moving ? received.contiguous()
                                                              : r.done;
        return at > r.manifestBytes ? std::min(at - r.manifestBytes, r.totalBytes) : 0;
    }
    void mapEntries()
    {
        starts.clear();
        quint64 at = r.manifestBytes;
        for (const filewire::Entry& e : std::as_const(entries)) {
            starts.append(at);
            at += e.size;
        }
    }
    QList<quint64> boundaries() const
    {
        QList<quint64> out{r.manifestBytes};
        for (int i = 0; i < entries.size(); ++i)
            if (!entries[i].folder)
                out.append(starts[i] + entries[i].size);
        return out;
    }
    bool active() const { return r.state == TransferState::Offered || r.state == TransferState::Moving; }
};

Transfers::Transfers(Messenger* messenger, History* history, QObject* parent)
    : QObject(parent)
    , m_messenger(messenger)
    , m_store(history->database())
    , m_downloads(QStandardPaths::writableLocation(QStandardPaths::DownloadLocation) + QStringLiteral("/Pigeon"))
{
    m_clock.start();
    // Two offers hashed at once at most: more would only make one disk seek between them.
    m_hashing.setMaxThreadCount(2);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Transfers::tick);
    m_sackTimer.setSingleShot(true);
    connect(&m_sackTimer, &QTimer::timeout, this, &Transfers::flushSacks);
    m_messenger->setFileHandler([this](QByteArrayView payload, const Endpoint& from) { onPayload(payload, from); });
    m_ipmsg = std::make_unique<IpmsgTransfers>(messenger, history->database());
    m_ipmsg->setDownloadFolder(m_downloads);
    connect(m_ipmsg.get(), &IpmsgTransfers::offered, this, &Transfers::offered);
    connect(m_ipmsg.get(), &IpmsgTransfers::changed, this, &Transfers::changed);
    connect(m_ipmsg.get(), &IpmsgTransfers::finished, this, &Transfers::finished);
    connect(history, &History::peerRenamed, this, &Transfers::onPeerRenamed);
}

void Transfers::onPeerRenamed(const QString& from, const QString& to)
{
    // A contact renamed (or a stranger added as one, or a contact removed): its transfers stay in its thread.
    if (!m_store.renamePeer(from, to))
        qCWarning(lcTransfers) << "transfers could not follow a renamed peer:" << m_store.error();
    for (Transfer* t : std::as_const(m_transfers))
        if (t->r.peer == from)
            t->r.peer = to;
    m_ipmsg->renamePeer(from, to);
}

void Transfers::setDownloadFolder(const QString& folder)
{
    m_downloads = folder;
    m_ipmsg->setDownloadFolder(folder);
}

Transfers::~Transfers()
{
    m_messenger->setFileHandler({});
    // Offers still prepared stop their workers now, not when the pool would have finished them.
    qDeleteAll(findChildren<OfferPreparation*>(Qt::FindDirectChildrenOnly));
    qDeleteAll(m_transfers);
}

void Transfers::setAutoAccept(bool on, quint64 maxBytes)
{
    m_autoAccept = on;
    m_autoMaxBytes = maxBytes;
    m_ipmsg->setAutoAccept(on, maxBytes);
}

void Transfers::setTiming(const SendWindow::Timing& timing)
{
    m_timing = timing;
}

void Transfers::start()
{
    QList<TransferRecord> ipmsgRecords;
    for (const TransferRecord& r : m_store.unfinished()) {
        if (IpmsgTransfers::isIpmsg(r)) {
            ipmsgRecords.append(r);
            continue;
        }
        auto* t = new Transfer;
        t->r = r;
        t->to = Endpoint::parse(r.remote).value_or(Endpoint{});
        if (!r.manifest.isEmpty())
            t->entries = filewire::decodeManifest(r.manifest).value_or(QList<filewire::Entry>{});
        t->mapEntries();
        m_transfers.insert({r.id, r.outgoing}, t);
        if (r.outgoing) {
            // The receiver says where to go on from when it hears the offer again.
            t->window =
                std::make_unique<SendWindow>(t->streamEnd(), t->boundaries(), filewire::LegacyChunkBytes, m_timing);
            t->window->restart(t->streamEnd()); // nothing is sent before the receiver's Accept
            t->r.session = 0;                   // so that any Accept sets where to go on from
            sendOffer(*t);
        } else if (r.state == TransferState::Moving) {
            // Resume from what was flushed and recorded; what came after it is fetched again.
            QString why;
            t->r.session = QRandomGenerator::global()->generate();
            t->received.reset(t->r.done >= t->r.manifestBytes && !t->entries.isEmpty() ? t->r.done : 0);
            if (t->received.contiguous() > 0) {
                t->sink = std::make_unique<FileSink>(r.source, r.id, t->entries, r.manifestBytes);
                if (!t->sink->prepare(&why)) {
                    fail(*t, filewire::Reason::Failed, why);
                    continue;
                }
            }
            persist(*t);
            sendAccept(*t);
            t->lastDataMs = now();
        }
    }
    m_ipmsg->start(ipmsgRecords);
    arm();
}

void Transfers::stop()
{
    for (Transfer* t : std::as_const(m_transfers))
        if (!t->r.outgoing && t->r.state == TransferState::Moving)
            persist(*t);
    m_ipmsg->stop();
}

quint64 Transfers::offer(const QString& peer, const QString& path, QString* error)
{
    const auto failWith = [error](const QString& why) -> quint64 {
        if (error)
            *error = why;
        return 0;
    };
    const Messenger::Route route = m_messenger->route(peer);
    if (!route.known)
        return failWith(tr("There is no contact named \"%1\".").arg(peer));
    if (route.endpoint && !route.isPigeon && route.protocol == Protocol::IpMsg) {
        // Only a peer heard from is known not to be a Pigeon; a Pigeon always gets the datagram transfer.
        if (m_messenger->versionOf(*route.endpoint).isEmpty())
            return failWith(tr("%1 has not been heard from yet, so it is not known whether it is a Pigeon; send "
                               "when it is online.")
                                .arg(route.peer));
        return m_ipmsg->offer(route, path, error);
    }
    if (!route.endpoint || !route.isPigeon)
        return failWith(tr("%1 is not known to be a Pigeon: files go to Pigeons only.").arg(route.peer));
    // "folder/", as a shell's completion writes it, names the folder.
    const QFileInfo root(QDir::cleanPath(path));
    if (root.isSymLink())
        return failWith(tr("%1 is a symbolic link: links are not sent; send what it points to.").arg(path));
    if (!root.exists())
        return failWith(tr("%1: no such file or folder.").arg(path));
    // A pipe, device or socket has no size to offer, and opening a pipe would wait for a writer.
    if (!root.isDir() && !root.isFile())
        return failWith(tr("%1 is not a regular file or a folder (a pipe, device or socket).").arg(path));
    const QString name = root.fileName();
    if (const QString why = safename::checkComponent(name); !why.isEmpty())
        return failWith(tr("%1 cannot be sent: %2.").arg(name, why));

    // Listed and hashed on a worker thread (a large file takes seconds); the offer goes out when that is done
    // (prepared()). Nothing is stored before: a restart meanwhile forgets it, and resumes nothing half-made.
    auto* t = new Transfer;
    t->r.id = QRandomGenerator::system()->generate64() | 1;
    t->r.outgoing = true;
    t->r.state = TransferState::Preparing;
    t->r.peer = route.peer;
    t->to = *route.endpoint;
    t->r.remote = t->to.toString();
    t->r.name = name;
    // A file's size and count are known now, a folder's once it is listed.
    t->r.totalBytes = root.isDir() ? 0 : quint64(root.size());
    t->r.files = root.isDir() ? 0 : 1;
    t->r.source = root.absoluteFilePath();
    t->r.timeMs = QDateTime::currentMSecsSinceEpoch();
    t->preparation = new OfferPreparation(root.absoluteFilePath(), name, &m_hashing, this);
    const quint64 id = t->r.id;
    // The first progress shows at once (that hashing started), later ones as notify() paces them.
    connect(t->preparation, &OfferPreparation::progress, this, [this, t, first = true]() mutable {
        notify(*t, first);
        first = false;
    });
    connect(t->preparation, &OfferPreparation::finished, this,
            [this, id](const OfferPreparation::Result& result) { prepared(id, result); });
    m_transfers.insert({id, true}, t);
    notify(*t, true);
    return id;
}

void Transfers::prepared(quint64 id, const OfferPreparation::Result& result)
{
    Transfer* t = m_transfers.value({id, true});
    if (!t || t->r.state != TransferState::Preparing)
        return;
    // Called from its signal: deleted when that returns.
    t->preparation->cancel(); // no more signals
    t->preparation->deleteLater();
    t->preparation = nullptr;
    t->r.totalBytes = 0;
    t->r.files = 0;
    for (const filewire::Entry& e : result.entries) {
        t->r.totalBytes += e.size;
        t->r.files += e.folder ? 0 : 1;
    }
    if (!result.error.isEmpty()) {
        end(*t, TransferState::Failed, result.error);
        return;
    }
    t->entries = result.entries;
    t->r.manifest = filewire::encodeManifest(t->entries);
    t->r.manifestBytes = quint32(t->r.manifest.size());
    t->r.manifestSha256 = Sha256::hash(t->r.manifest);
    t->r.stamps = result.stamps;
    if (t->r.manifest.size() > qsizetype(filewire::MaxManifestBytes)) {
        end(*t, TransferState::Failed, tr("%1 holds too many names to send at once.").arg(t->r.name));
        return;
    }
    t->r.state = TransferState::Offered;
    if (!m_store.save(t->r)) {
        t->r.state = TransferState::Preparing; // no row: end() makes one if it can
        end(*t, TransferState::Failed, m_store.error());
        return;
    }
    t->mapEntries();
    t->window = std::make_unique<SendWindow>(t->streamEnd(), t->boundaries(), filewire::LegacyChunkBytes, m_timing);
    t->window->restart(t->streamEnd());
    sendOffer(*t);
    notify(*t, true);
    arm();
}

void Transfers::sendOffer(Transfer& t)
{
    send(t, filewire::Offer{t.r.id, t.r.name, t.r.totalBytes, t.r.files, t.r.manifestBytes, t.r.manifestSha256});
    t.nextProbeMs = now() + t.probeMs;
    t.probeMs = std::min(t.probeMs * 2, MaxProbeMs);
}

bool Transfers::accept(quint64 id, QString* error, const QString& folder)
{
    if (m_ipmsg->owns(id))
        return m_ipmsg->accept(id, error, folder);
    Transfer* t = m_transfers.value({id, false});
    const auto failWith = [error](const QString& why) {
        if (error)
            *error = why;
        return false;
    };
    if (!t || t->r.state != TransferState::Offered)
        return failWith(tr("There is no waiting offer %1.").arg(id));
    const QString target = folder.isEmpty() ? m_downloads : folder;
    if (!QDir().mkpath(target))
        return failWith(tr("The folder %1 cannot be created.").arg(target));
    QStorageInfo storage(target);
    const qint64 available = storage.bytesAvailable();
    if (available >= 0 && quint64(available) < t->r.totalBytes + SpaceMargin)
        return failWith(tr("%1 needs %2 bytes, and %3 has only %4 free.")
                            .arg(t->r.name)
                            .arg(t->r.totalBytes)
                            .arg(target)
                            .arg(available));
    t->r.source = QFileInfo(target).absoluteFilePath();
    t->r.state = TransferState::Moving;
    t->r.session = QRandomGenerator::global()->generate();
    t->received.reset(0);
    t->lastDataMs = now();
    t->probeMs = ProbeMs;
    if (!m_store.save(t->r))
        return failWith(m_store.error());
    t->r.manifest.clear();
    t->r.manifest.resize(qsizetype(t->r.manifestBytes));
    sendAccept(*t);
    notify(*t, true);
    arm();
    return true;
}

bool Transfers::decline(quint64 id)
{
    if (m_ipmsg->owns(id))
        return m_ipmsg->decline(id);
    Transfer* t = m_transfers.value({id, false});
    if (!t || t->r.state != TransferState::Offered)
        return false;
    send(*t, filewire::Cancel{id, filewire::Reason::Declined, {}});
    end(*t, TransferState::Declined);
    return true;
}

bool Transfers::cancel(quint64 id)
{
    if (m_ipmsg->owns(id))
        return m_ipmsg->cancel(id);
    for (const bool outgoing : {true, false}) {
        Transfer* t = m_transfers.value({id, outgoing});
        if (t && t->r.state == TransferState::Preparing) {
            // The peer has heard nothing of it yet.
            end(*t, TransferState::Cancelled);
            return true;
        }
        if (t && t->active()) {
            send(*t, filewire::Cancel{id, filewire::Reason::Cancelled, {}});
            if (t->sink)
                t->sink->discard();
            end(*t, TransferState::Cancelled);
            return true;
        }
    }
    return false;
}

QList<Transfers::Info> Transfers::transfers() const
{
    QList<Info> out;
    for (const Transfer* t : std::as_const(m_transfers))
        out.append(infoOf(*t));
    out += m_ipmsg->transfers();
    std::stable_sort(out.begin(), out.end(), [](const Info& a, const Info& b) { return a.timeMs < b.timeMs; });
    return out;
}

std::optional<Transfers::Info> Transfers::info(quint64 id) const
{
    for (const bool outgoing : {true, false})
        if (const Transfer* t = m_transfers.value({id, outgoing}))
            return infoOf(*t);
    return m_ipmsg->info(id);
}

QList<Transfers::Info> Transfers::transfersWith(const QString& peer, int limit)
{
    QList<Info> out;
    const QList<TransferRecord> rows = m_store.withPeer(peer, limit);
    for (auto r = rows.crbegin(); r != rows.crend(); ++r) {
        if (const Transfer* t = m_transfers.value({r->id, r->outgoing})) {
            out.append(infoOf(*t));
        } else if (const auto live = m_ipmsg->info(r->id); live && live->outgoing == r->outgoing) {
            out.append(*live); // a file with an IP Messenger peer, moving in this run
        } else {
            out.append(infoOf(*r));
        }
    }
    // Offers still prepared have no row yet: they are the newest.
    for (const Transfer* t : std::as_const(m_transfers))
        if (t->r.state == TransferState::Preparing && t->r.peer == peer)
            out.append(infoOf(*t));
    return out;
}

Transfers::Info Transfers::infoOf(const TransferRecord& r)
{
    // Finished, or not resumed in this run: what the database says.
    const quint64 done = r.state == TransferState::Done ? r.totalBytes
                         : r.done > r.manifestBytes     ? std::min(r.done - r.manifestBytes, r.totalBytes)
                                                        : 0;
    return {r.id,    r.outgoing, r.peer, r.name,  r.totalBytes, r.files,
            r.state, done,       0,      r.saved, r.error,      r.outgoing ? r.source : QString(),
            r.timeMs};
}

Transfers::Info Transfers::infoOf(const Transfer& t) const
{
    if (t.preparation && t.r.state == TransferState::Preparing) {
        Info i = infoOf(t.r);
        if (const quint64 listed = t.preparation->totalBytes())
            i.totalBytes = listed;
        i.files = std::max(t.preparation->files(), t.r.files); // a file is one before it is listed
        i.doneBytes = t.preparation->hashedBytes();
        return i;
    }
    return {t.r.id,    t.r.outgoing,  t.r.peer, t.r.name,  t.r.totalBytes, t.r.files,
            t.r.state, t.doneBytes(), t.rate,   t.r.saved, t.r.error,      t.r.outgoing ? t.r.source : QString(),
            t.r.timeMs};
}

void Transfers::send(const Transfer& t, const filewire::Payload& payload)
{
    m_messenger->sendFilePayload(filewire::encode(payload), t.to);
}

Transfers::Transfer* Transfers::find(quint64 id, bool outgoing, const Endpoint& from)
{
    Transfer* t = m_transfers.value({id, outgoing});
    // A transfer's datagrams count only from the address and port it is with (as acknowledgements do).
    return t && t->to == from ? t : nullptr;
}

void Transfers::onPayload(QByteArrayView payload, const Endpoint& from)
{
    // Data first, read in place: most of what comes.
    if (const std::optional<filewire::DataView> data = filewire::decodeData(payload)) {
        if (Transfer* t = find(data->id, false, from)) {
            onData(*t, *data);
            return;
        }
    }
    QString why;
    const std::optional<filewire::Payload> decoded = filewire::decode(payload, &why);
    if (!decoded) {
        qCDebug(lcTransfers) << "dropped a file datagram from" << from.toString() << ":" << why;
        return;
    }
    const quint64 id = filewire::idOf(*decoded);
    if (const auto* offer = std::get_if<filewire::Offer>(&*decoded)) {
        onOffer(*offer, from);
        return;
    }
    const bool toSender =
        std::holds_alternative<filewire::Accept>(*decoded) || std::holds_alternative<filewire::Pending>(*decoded) ||
        std::holds_alternative<filewire::Sack>(*decoded) || std::holds_alternative<filewire::Done>(*decoded) ||
        std::holds_alternative<filewire::ChunkSize>(*decoded);
    Transfer* t = nullptr;
    if (const auto* cancel = std::get_if<filewire::Cancel>(&*decoded)) {
        t = find(id, true, from);
        if (!t)
            t = find(id, false, from);
        if (t)
            onCancel(*t, *cancel);
        return;
    }
    t = find(id, toSender, from);
    if (!t) {
        // Someone sends us data or acknowledgements for a transfer we do not have: say so, at most once a second.
        const qint64 last = m_unknownAnswered.value(id, -PersistMs);
        if (now() - last >= PersistMs && m_unknownAnswered.size() < 1024) {
            m_unknownAnswered.insert(id, now());
            m_messenger->sendFilePayload(filewire::encode(filewire::Cancel{id, filewire::Reason::Unknown, {}}), from);
        }
        return;
    }
    if (const auto* accept = std::get_if<filewire::Accept>(&*decoded))
        onAccept(*t, *accept);
    else if (std::holds_alternative<filewire::Pending>(*decoded)) {
        if (t->r.state == TransferState::Offered)
            t->probeMs = MaxProbeMs, t->nextProbeMs = now() + MaxProbeMs;
    } else if (const auto* sack = std::get_if<filewire::Sack>(&*decoded)) {
        onSack(*t, *sack);
    } else if (const auto* chunk = std::get_if<filewire::ChunkSize>(&*decoded)) {
        if (t->window)
            t->window->setSegmentBytes(quint64(std::max<qsizetype>(chunk->bytes, filewire::LegacyChunkBytes)));
    } else if (std::holds_alternative<filewire::Done>(*decoded)) {
        // The receiver checked every file: done, even if the last acknowledgements are still on their way.
        if (t->r.state == TransferState::Moving)
            end(*t, TransferState::Done);
    }
    // Data is handled above (decodeData accepts every Data payload decode() does).
}

void Transfers::onOffer(const filewire::Offer& o, const Endpoint& from)
{
    if (Transfer* t = find(o.id, false, from)) {
        // An offer again: the sender restarted or did not hear us. Tell it where this transfer stands.
        switch (t->r.state) {
        case TransferState::Offered: send(*t, filewire::Pending{o.id}); break;
        case TransferState::Moving: sendAccept(*t); break;
        case TransferState::Done: send(*t, filewire::Done{o.id}); break;
        case TransferState::Declined: send(*t, filewire::Cancel{o.id, filewire::Reason::Declined, {}}); break;
        case TransferState::Failed: send(*t, filewire::Cancel{o.id, filewire::Reason::Failed, t->r.error}); break;
        case TransferState::Cancelled: send(*t, filewire::Cancel{o.id, filewire::Reason::Cancelled, {}}); break;
        case TransferState::Preparing: break; // outgoing offers only
        }
        return;
    }
    if (m_transfers.contains({o.id, false}))
        return; // the same id from elsewhere: a forgery or a collision, ignored
    if (const auto known = m_store.find(o.id, false)) {
        // Finished before a restart of ours: the sender missed the end.
        if (known->remote == from.toString())
            m_messenger->sendFilePayload(
                filewire::encode(known->state == TransferState::Done
                                     ? filewire::Payload(filewire::Done{o.id})
                                     : filewire::Payload(filewire::Cancel{o.id, filewire::Reason::Cancelled, {}})),
                from);
        return;
    }
    int waiting = 0;
    int waitingHere = 0;
    for (const Transfer* t : std::as_const(m_transfers))
        if (!t->r.outgoing && t->r.state == TransferState::Offered) {
            ++waiting;
            waitingHere += t->to == from ? 1 : 0;
        }
    if (waiting >= MaxWaiting || waitingHere >= MaxWaitingPerPeer)
        return;
    // A stranger's offer counts against the stranger limits, as a message from it would.
    if (!m_messenger->admitStranger(from))
        return;
    auto* t = new Transfer;
    t->r.id = o.id;
    t->r.outgoing = false;
    t->r.peer = m_messenger->peerFor(from);
    t->r.remote = from.toString();
    t->to = from;
    t->r.name = o.name;
    t->r.totalBytes = o.totalBytes;
    t->r.files = o.files;
    t->r.manifestBytes = o.manifestBytes;
    t->r.manifestSha256 = o.manifestSha256;
    t->r.source = m_downloads;
    t->r.timeMs = QDateTime::currentMSecsSinceEpoch();
    m_transfers.insert({o.id, false}, t);
    const QString why = safename::checkComponent(o.name);
    if (!why.isEmpty() || o.manifestBytes == 0) {
        t->r.name = o.name.left(64);
        m_store.save(t->r);
        fail(*t, filewire::Reason::Failed, why.isEmpty() ? tr("an empty list of files") : why);
        return;
    }
    if (!m_store.save(t->r)) {
        qCWarning(lcTransfers) << "an offer could not be stored:" << m_store.error();
        m_transfers.remove({o.id, false});
        delete t;
        return; // not answered: the sender offers again
    }
    send(*t, filewire::Pending{o.id});
    Q_EMIT offered(infoOf(*t));
    if (m_autoAccept && m_messenger->isContact(from) && o.totalBytes <= m_autoMaxBytes) {
        QString error;
        if (!accept(o.id, &error))
            Q_EMIT changed(infoOf(*t));
    }
}

void Transfers::onAccept(Transfer& t, const filewire::Accept& a)
{
    if (!t.active()) {
        if (t.r.state != TransferState::Done)
            send(t, filewire::Cancel{t.r.id, filewire::Reason::Cancelled, t.r.error});
        return;
    }
    if (a.session != t.r.session || t.r.state == TransferState::Offered) {
        // A new receiver session (accepted now, or the receiver restarted): go on from what it has on disk.
        t.r.session = a.session;
        t.window->restart(a.from);
        t.r.state = TransferState::Moving;
        t.probeMs = ProbeMs;
        t.r.done = a.from;
        m_store.update(t.r);
        notify(t, true);
    }
    pump(t);
}

void Transfers::onSack(Transfer& t, const filewire::Sack& s)
{
    if (t.r.state != TransferState::Moving || s.session != t.r.session)
        return;
    const quint64 before = t.window->acknowledged();
    t.window->acknowledge(s.cumulative, s.ranges, now());
    if (t.window->acknowledged() > before) {
        t.probeMs = ProbeMs;
        t.rateBytes += t.window->acknowledged() - before;
        // All acknowledged: the wait for Done starts now, not when the last offer was probed (a Pending answer
        // had put that up to MaxProbeMs ahead, so one lost Done cost up to 30 s).
        if (t.window->finished())
            t.nextProbeMs = now() + ProbeMs;
    }
    pump(t);
    notify(t, false);
}

void Transfers::pump(Transfer& t)
{
    // The burst leaves in a few system calls (UdpTransport: UDP_SEGMENT runs in one sendmmsg) when the pump is done.
    const Transport::Batch batch(m_messenger->transport());
    // One route for the burst: each datagram is then built in one buffer, the file read straight into it.
    std::optional<Messenger::FileOutput> out;
    for (int i = 0; i < PumpBurst && t.r.state == TransferState::Moving; ++i) {
        const auto segment = t.window->next(now());
        if (!segment)
            break;
        if (!out)
            out = m_messenger->fileOutput(t.to);
        char* payload = out->payload(filewire::DataHeaderBytes + segment->length);
        filewire::writeDataHeader(payload, t.r.id, segment->offset);
        QString why;
        if (!readChunk(t, segment->offset, segment->length, payload + filewire::DataHeaderBytes, &why)) {
            fail(t, filewire::Reason::FileChanged, why);
            return;
        }
        out->send();
    }
    arm();
}

bool Transfers::readChunk(Transfer& t, quint64 offset, quint32 length, char* out, QString* error)
{
    if (offset < t.r.manifestBytes) {
        // The window keeps segments within the manifest (its end is a boundary).
        if (offset + length > quint64(t.r.manifest.size())) {
            *error = tr("data outside the files");
            return false;
        }
        std::copy_n(t.r.manifest.constData() + offset, length, out);
        return true;
    }
    const auto it = std::upper_bound(t.starts.cbegin(), t.starts.cend(), offset);
    int entry = int(it - t.starts.cbegin()) - 1;
    while (entry > 0 && t.entries[entry].folder)
        --entry;
    if (entry < 0 || t.entries[entry].folder) {
        *error = tr("data outside the files");
        return false;
    }
    // The file's position among files, for its stamp.
    int fileIndex = 0;
    for (int i = 0; i < entry; ++i)
        fileIndex += t.entries[i].folder ? 0 : 1;
    const QString& rel = t.entries[entry].path;
    const qsizetype slash = rel.indexOf(u'/');
    const QString path = slash < 0 ? t.r.source : t.r.source + rel.mid(slash);
    const auto changed = [&]() {
        const QFileInfo info(path);
        if (t.r.stamps.size() < (fileIndex + 1) * 16)
            return true;
        const char* raw = t.r.stamps.constData() + fileIndex * 16;
        return !info.exists() || quint64(info.size()) != qFromLittleEndian<quint64>(raw) ||
               info.lastModified().toMSecsSinceEpoch() != qFromLittleEndian<qint64>(raw + 8);
    };
    const quint64 inFile = offset - t.starts[entry];
    const bool last = inFile + length >= t.entries[entry].size;
    if (t.readingEntry != entry) {
        t.reading = std::make_unique<QFile>(path);
        t.readingEntry = entry;
        if (changed() || !t.reading->open(QIODevice::ReadOnly)) {
            t.readingEntry = -1;
            *error = tr("%1 changed after it was offered.").arg(path);
            return false;
        }
    }
    // Sequential reads need no seek (a system call per datagram otherwise).
    if ((t.reading->pos() != qint64(inFile) && !t.reading->seek(qint64(inFile))) ||
        t.reading->read(out, length) != qint64(length) || (last && changed())) {
        t.readingEntry = -1;
        *error = tr("%1 changed after it was offered.").arg(path);
        return false;
    }
    return true;
}

void Transfers::onData(Transfer& t, const filewire::DataView& d)
{
    if (t.r.state == TransferState::Done) {
        send(t, filewire::Done{t.r.id});
        return;
    }
    if (t.r.state != TransferState::Moving)
        return;
    const quint64 end = d.offset + quint64(d.bytes.size());
    if (end > t.streamEnd() || end < d.offset)
        return;
    t.lastDataMs = now();
    t.probeMs = ProbeMs;
    if (!t.received.contains(d.offset, end)) {
        QString why;
        if (d.offset < t.r.manifestBytes) {
            if (end > t.r.manifestBytes)
                return;
            if (t.r.manifest.size() != qsizetype(t.r.manifestBytes))
                t.r.manifest.resize(qsizetype(t.r.manifestBytes));
            std::copy(d.bytes.cbegin(), d.bytes.cend(), t.r.manifest.begin() + qsizetype(d.offset));
        } else if (!t.sink) {
            return; // the files cannot be written before the manifest said what they are; the sender sends again
        } else if (!t.sink->write(d.offset, d.bytes, &why)) {
            t.sink->discard();
            fail(t, filewire::Reason::Failed, why);
            return;
        }
        const quint64 before = t.received.contiguous();
        t.received.add(d.offset, end);
        t.rateBytes += quint64(d.bytes.size());
        if (!t.sink && before < t.r.manifestBytes && t.received.contiguous() >= t.r.manifestBytes &&
            !manifestArrived(t, &why)) {
            if (t.sink)
                t.sink->discard();
            fail(t, filewire::Reason::Failed, why);
            return;
        }
    }
    t.lastDataAt = d.offset;
    if (t.received.contiguous() >= t.streamEnd()) {
        sendSack(t);
        complete(t);
        return;
    }
    if (++t.unacknowledged >= SackEvery || t.received.contiguous() < end)
        sendSack(t);
    else if (!m_sackTimer.isActive())
        m_sackTimer.start(0);
    if (t.received.contiguous() >= t.persistedBytes + PersistBytes || now() - t.persistedMs >= PersistMs)
        persist(t);
    notify(t, false);
}

void Transfers::sendAccept(Transfer& t)
{
    // What this receiver takes first, so that the sender's burst after the Accept already uses it.
    send(t, filewire::ChunkSize{t.r.id, quint16(filewire::ChunkBytes)});
    send(t, filewire::Accept{t.r.id, t.r.session, t.received.contiguous()});
}

void Transfers::sendSack(Transfer& t)
{
    t.unacknowledged = 0;
    send(t, filewire::Sack{t.r.id, t.r.session, t.received.contiguous(),
                           t.received.above(t.lastDataAt, filewire::MaxSackRanges)});
}

void Transfers::flushSacks()
{
    for (Transfer* t : std::as_const(m_transfers))
        if (t->unacknowledged > 0 && !t->r.outgoing && t->r.state == TransferState::Moving)
            sendSack(*t);
}

bool Transfers::manifestArrived(Transfer& t, QString* error)
{
    if (Sha256::hash(t.r.manifest) != t.r.manifestSha256) {
        *error = tr("the list of files differs from the offer");
        return false;
    }
    const auto entries = filewire::decodeManifest(t.r.manifest, error);
    if (!entries)
        return false;
    quint64 total = 0;
    quint32 files = 0;
    for (const filewire::Entry& e : *entries) {
        total += e.size;
        files += e.folder ? 0 : 1;
    }
    if (total != t.r.totalBytes || files != t.r.files) {
        *error = tr("the list of files differs from the offer");
        return false;
    }
    if (const QString why = safename::checkManifest(t.r.name, *entries); !why.isEmpty()) {
        *error = why;
        return false;
    }
    t.entries = *entries;
    t.mapEntries();
    t.sink = std::make_unique<FileSink>(t.r.source, t.r.id, t.entries, t.r.manifestBytes);
    if (!t.sink->prepare(error))
        return false;
    m_store.update(t.r);
    return true;
}

void Transfers::complete(Transfer& t)
{
    QString saved;
    QString why;
    if (!t.sink->finish(&saved, &why)) {
        t.sink->discard();
        fail(t, filewire::Reason::Failed, why);
        return;
    }
    t.r.saved = saved;
    t.r.done = t.streamEnd();
    send(t, filewire::Done{t.r.id});
    t.sink.reset();
    end(t, TransferState::Done);
}

void Transfers::onCancel(Transfer& t, const filewire::Cancel& c)
{
    if (!t.active())
        return;
    if (t.sink)
        t.sink->discard();
    switch (c.reason) {
    case filewire::Reason::Declined: end(t, TransferState::Declined); break;
    case filewire::Reason::Cancelled: end(t, TransferState::Cancelled, tr("cancelled by %1").arg(t.r.peer)); break;
    case filewire::Reason::FileChanged:
        end(t, TransferState::Failed, tr("the sender's file changed after it was offered"));
        break;
    case filewire::Reason::Failed:
        end(t, TransferState::Failed, c.text.isEmpty() ? tr("the receiver could not save it") : c.text);
        break;
    case filewire::Reason::Unknown:
        // The receiver has no such transfer (it lost its database): it cannot go on.
        end(t, TransferState::Failed, tr("%1 no longer knows this transfer").arg(t.r.peer));
        break;
    }
}

void Transfers::fail(Transfer& t, filewire::Reason reason, const QString& why, bool tellPeer)
{
    if (tellPeer)
        send(t, filewire::Cancel{t.r.id, reason, why});
    end(t, TransferState::Failed, why);
}

void Transfers::end(Transfer& t, TransferState state, const QString& error)
{
    // A transfer that ends while it is prepared has no row yet: it gets one, finished, for its conversation.
    const bool stored = t.r.state != TransferState::Preparing;
    if (t.preparation) {
        if (const quint64 listed = t.preparation->totalBytes()) // as far as it was listed
            t.r.totalBytes = listed;
        t.r.files = std::max(t.preparation->files(), t.r.files);
        t.preparation->cancel(); // no more signals
        t.preparation->deleteLater();
        t.preparation = nullptr;
    }
    t.r.state = state;
    t.r.error = error;
    t.reading.reset();
    t.readingEntry = -1;
    t.sink.reset();
    if (!stored && t.r.manifestSha256.isNull())
        t.r.manifestSha256 = QByteArray("", 0); // NOT NULL in the table: none was made
    if (!(stored ? m_store.update(t.r) : m_store.save(t.r)))
        qCWarning(lcTransfers) << "a transfer's end could not be stored:" << m_store.error();
    notify(t, true);
    Q_EMIT finished(infoOf(t));
}

void Transfers::persist(Transfer& t)
{
    QString why;
    if (t.sink && !t.sink->sync(&why)) {
        t.sink->discard();
        fail(t, filewire::Reason::Failed, why);
        return;
    }
    // Progress past the manifest counts only once the manifest itself is stored.
    t.r.done = t.sink ? t.received.contiguous() : 0;
    t.persistedBytes = t.received.contiguous();
    t.persistedMs = now();
    if (!m_store.update(t.r))
        qCWarning(lcTransfers) << "progress could not be stored:" << m_store.error();
}

void Transfers::notify(Transfer& t, bool force)
{
    const qint64 at = now();
    if (at - t.rateSinceMs >= 1000) {
        t.rate = t.rateSinceMs ? double(t.rateBytes) * 1000.0 / double(at - t.rateSinceMs) : 0;
        t.rateBytes = 0;
        t.rateSinceMs = at;
    }
    if (!force && at - t.notifiedMs < NotifyMs)
        return;
    t.notifiedMs = at;
    Q_EMIT changed(infoOf(t));
}

void Transfers::tick()
{
    const qint64 at = now();
    for (Transfer* t : std::as_const(m_transfers)) {
        if (t->r.outgoing && t->r.state == TransferState::Offered && at >= t->nextProbeMs) {
            sendOffer(*t);
        } else if (t->r.outgoing && t->r.state == TransferState::Moving) {
            if (t->window->poll(at))
                qCDebug(lcTransfers) << "RTO on" << t->r.id << "now" << t->window->rtoMs() << "ms";
            // Everything acknowledged and no Done yet: ask again with the offer.
            if (t->window->finished() && at >= t->nextProbeMs)
                sendOffer(*t);
            pump(*t);
        } else if (!t->r.outgoing && t->r.state == TransferState::Moving && at - t->lastDataMs >= t->probeMs) {
            sendAccept(*t);
            t->lastDataMs = at;
            t->probeMs = std::min(t->probeMs * 2, MaxProbeMs);
            persist(*t);
        }
    }
    arm();
}

void Transfers::arm()
{
    qint64 due = -1;
    const qint64 at = now();
    for (const Transfer* t : std::as_const(m_transfers)) {
        qint64 next = -1;
        if (t->r.outgoing && t->r.state == TransferState::Offered)
            next = t->nextProbeMs;
        else if (t->r.outgoing && t->r.state == TransferState::Moving)
            next = t->window->finished() ? t->nextProbeMs : t->window->nextDueMs();
        else if (!t->r.outgoing && t->r.state == TransferState::Moving)
            next = t->lastDataMs + t->probeMs;
        if (next >= 0 && (due < 0 || next < due))
            due = next;
    }
    if (due < 0) {
        m_timer.stop();
        return;
    }
    const int wait = int(std::clamp<qint64>(due - at, 0, MaxProbeMs));
    if (!m_timer.isActive() || m_timer.remainingTime() > wait)
        m_timer.start(wait);
}
