#include "keychangeprompt.h"

#include "messenger.h"
#include "securitynotices.h"

#include <QMessageBox>
#include <QPointer>
#include <QPushButton>

void askToTrust(QWidget* parent, Messenger* messenger, const QString& peer, bool wasVerified)
{
    auto* box =
        new QMessageBox(wasVerified ? QMessageBox::Critical : QMessageBox::Warning, QMessageBox::tr("Key Changed"),
                        SecurityNotices::keyChanged(peer, wasVerified, QMessageBox::tr("Trust New Key")),
                        QMessageBox::NoButton, parent);
    box->setObjectName(QStringLiteral("keyChanged"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    const Messenger::Security s = messenger->security(peer);
    box->setInformativeText(QMessageBox::tr("Old fingerprint: %1\nNew fingerprint: %2")
                                .arg(s.fingerprint.isEmpty() ? QStringLiteral("—") : s.fingerprint,
                                     s.newFingerprint.isEmpty() ? QStringLiteral("—") : s.newFingerprint));
    QPushButton* trust = box->addButton(QMessageBox::tr("&Trust New Key"), QMessageBox::AcceptRole);
    trust->setObjectName(QStringLiteral("trust"));
    // Not Now is the default: a stray Enter must not accept a key that may be an attacker's.
    box->setDefaultButton(box->addButton(QMessageBox::tr("&Not Now"), QMessageBox::RejectRole));
    const QPointer<Messenger> engine(messenger);
    QObject::connect(trust, &QPushButton::clicked, box, [engine, peer] {
        if (engine)
            engine->trust(peer);
    });
    box->setWindowModality(Qt::WindowModal);
    box->show();
}
