#include "pinnedkeys.h"

#include <QFile>
#include <QSaveFile>

#include <sys/stat.h>

namespace {

std::optional<crypto::IdentityKey> decodeKey(const QByteArray& base64)
{
    const QByteArray bytes = QByteArray::fromBase64(base64, QByteArray::AbortOnBase64DecodingErrors);
    if (bytes.size() != qsizetype(crypto::IdentityKey().size()))
        return std::nullopt;
    crypto::IdentityKey key{};
    std::copy(bytes.begin(), bytes.end(), key.begin());
    return key;
}

QByteArray encodeKey(const crypto::IdentityKey& key)
{
    return QByteArray(reinterpret_cast<const char*>(key.data()), qsizetype(key.size())).toBase64();
}

} // namespace

std::optional<PinnedKeys::Entries> PinnedKeys::parse(const QByteArray& text, QString* error)
{
    Entries entries;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray& line = lines[i];
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const auto bad = [&](const QString& why) {
            if (error)
                *error = tr("line %1: %2").arg(i + 1).arg(why);
            return std::nullopt;
        };
        const QList<QByteArray> fields = line.split('\t');
        if (fields.size() != 3 && fields.size() != 4)
            return bad(tr("expected 3 or 4 tab-separated fields, found %1").arg(fields.size()));
        const QString peer = QString::fromUtf8(QByteArray::fromPercentEncoding(fields[0]));
        if (peer.isEmpty())
            return bad(tr("empty peer name"));
        if (entries.contains(peer))
            return bad(tr("peer \"%1\" appears twice").arg(peer));
        Entry entry;
        const auto key = decodeKey(fields[1]);
        if (!key)
            return bad(tr("the key is not 32 bytes of base64"));
        entry.key = *key;
        if (fields[2] == "verified")
            entry.verified = true;
        else if (fields[2] != "unverified")
            return bad(tr("unknown flags \"%1\"").arg(QString::fromUtf8(fields[2])));
        if (fields.size() == 4) {
            entry.pending = decodeKey(fields[3]);
            if (!entry.pending || *entry.pending == entry.key)
                return bad(tr("the pending key is not 32 bytes of base64 different from the pinned key"));
        }
        entries.insert(peer, entry);
    }
    return entries;
}

QByteArray PinnedKeys::serialize(const Entries& entries)
{
    QByteArray out = "# Pigeon pinned keys: peer, identity key, verified or not, a changed key waiting for /trust\n";
    for (auto it = entries.cbegin(); it != entries.cend(); ++it) {
        out += it.key().toUtf8().toPercentEncoding() + '\t' + encodeKey(it->key) + '\t' +
               (it->verified ? "verified" : "unverified");
        if (it->pending)
            out += '\t' + encodeKey(*it->pending);
        out += '\n';
    }
    return out;
}

bool PinnedKeys::load(const QString& path)
{
    m_path = path;
    m_error.clear();
    m_entries.clear();
    QFile file(path);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly)) {
        m_error = tr("cannot read the pinned keys %1: %2").arg(path, file.errorString());
        return false;
    }
    QString why;
    const auto parsed = parse(file.readAll(), &why);
    if (!parsed) {
        m_error = tr("the pinned keys %1 are damaged (%2); Pigeon will not guess which keys to trust: fix or "
                     "delete that line")
                      .arg(path, why);
        return false;
    }
    m_entries = *parsed;
    return true;
}

bool PinnedKeys::save()
{
    QSaveFile file(m_path);
    const QByteArray text = serialize(m_entries);
    if (!file.open(QIODevice::WriteOnly) || ::fchmod(file.handle(), 0600) != 0 || file.write(text) != text.size() ||
        !file.commit()) {
        m_error = tr("cannot save the pinned keys %1: %2").arg(m_path, file.errorString());
        return false;
    }
    m_error.clear();
    return true;
}

PinnedKeys::Seen PinnedKeys::see(const QString& peer, const crypto::IdentityKey& key)
{
    const auto it = m_entries.find(peer);
    if (it == m_entries.end()) {
        m_entries.insert(peer, Entry{key, false, std::nullopt});
        save();
        return Seen::Pinned;
    }
    if (it->key == key)
        return Seen::Known;
    if (it->pending != key) {
        it->pending = key;
        save();
    }
    return Seen::Changed;
}

bool PinnedKeys::trust(const QString& peer)
{
    const auto it = m_entries.find(peer);
    if (it == m_entries.end() || !it->pending)
        return false;
    it->key = *it->pending;
    it->pending.reset();
    it->verified = false;
    save();
    return true;
}

bool PinnedKeys::setVerified(const QString& peer, bool verified)
{
    const auto it = m_entries.find(peer);
    if (it == m_entries.end())
        return false;
    if (it->verified != verified) {
        it->verified = verified;
        save();
    }
    return true;
}

bool PinnedKeys::rename(const QString& from, const QString& to)
{
    if (from == to || !m_entries.contains(from) || m_entries.contains(to))
        return false;
    m_entries.insert(to, m_entries.take(from));
    save();
    return true;
}

bool PinnedKeys::forget(const QString& peer)
{
    if (m_entries.remove(peer) == 0)
        return false;
    save();
    return true;
}

std::optional<PinnedKeys::Entry> PinnedKeys::find(const QString& peer) const
{
    const auto it = m_entries.constFind(peer);
    return it == m_entries.cend() ? std::nullopt : std::optional<Entry>(*it);
}
