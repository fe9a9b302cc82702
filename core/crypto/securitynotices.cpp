#include "securitynotices.h"

QString SecurityNotices::keyChanged(const QString& peer, bool wasVerified, const QString& trustHint)
{
    if (wasVerified)
        return tr("WARNING: the key of %1 changed, and you had verified the old one. Someone may be pretending to be "
                  "%1. Compare fingerprints with %1 in person before you accept the new key (%2); until then nothing "
                  "is sent to or shown from %1.")
            .arg(peer, trustHint);
    return tr("%1's key changed: verify before continuing. Nothing is sent to or shown from %1 until you accept the "
              "new key (%2).")
        .arg(peer, trustHint);
}

QString SecurityNotices::forgeriesRefused(const QString& peer, quint64 total)
{
    if (peer.isEmpty())
        return tr("Refused datagrams that were not sealed by the Pigeon they claim to come from (%n so far).", nullptr,
                  int(std::min<quint64>(total, INT_MAX)));
    return tr("Refused datagrams claiming to come from %1 that were not sealed with its key: someone may be forging "
              "them (%n so far).",
              nullptr, int(std::min<quint64>(total, INT_MAX)))
        .arg(peer);
}

QString SecurityNotices::state(bool encrypted, bool keyChanged)
{
    if (keyChanged)
        return tr("key changed: not trusted");
    return encrypted ? tr("end-to-end encrypted") : tr("not encrypted");
}

QString SecurityNotices::verifiedState()
{
    return tr("end-to-end encrypted, key verified");
}
