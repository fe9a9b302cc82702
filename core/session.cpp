#include "session.h"

Session::Session(QObject* parent)
    : QObject(parent)
{
}

Session::~Session()
{
    close();
    // Transfers unhooks itself from the Messenger when it goes, so it goes before its sibling the Messenger.
    delete m_transfers;
}

bool Session::open(const Options& options)
{
    m_profile = Profile(options.profileDir);
    if (!m_profile.ensureExists(&m_error))
        return false;
    if (!m_identity.open(m_profile.directory())) {
        m_error = m_identity.error();
        return false;
    }
    m_warnings.append(m_identity.warnings());
    if (!m_pinned.load(m_profile.directory() + u'/' + PinnedKeys::FileName)) {
        m_error = m_pinned.error();
        return false;
    }
    if (!m_contacts.load(m_profile.contactsPath()))
        m_warnings.append(m_contacts.error());
    if (!m_history.open(m_profile.historyPath())) {
        m_error = m_history.error();
        return false;
    }
    KeyStore::makeFilesPrivate(m_profile.directory()); // those this start made (issue 13: files 0600)
    // One person, one conversation: a removed contact's conversation is keyed by its address again, so hearing from
    // it, or adding it back under any name, continues it (the engine renames it when a contact is added).
    connect(&m_contacts, &ContactBook::contactRemoved, this,
            [this](const QString& name) { m_history.detachContact(name); });
    Identity identity = Identity::fromSystem(!options.nick.isEmpty() ? options.nick : m_profile.nickname());
    m_messenger = new Messenger(identity, &m_contacts, &m_history, &m_transport, this);
    // The status the user chose last time (profile.h says why it is kept); set before start(), so that the first
    // entry packets carry it. What the user sets from now on is kept, an automatic away is not.
    const PeerStatus saved = m_profile.status();
    m_messenger->setStatus(saved.status, saved.text);
    connect(m_messenger, &Messenger::statusChanged, this, [this](const PeerStatus& status) {
        if (!m_messenger->isStatusAutomatic())
            m_profile.setStatus(status);
    });
    if (options.encrypt) {
        m_secure = new SecurePeers(m_identity, &m_pinned, m_messenger);
        m_messenger->setSecurePeers(m_secure);
    }
    // The command line turns these on for one run; the profile's settings keep them on.
    m_contactsOnly = options.contactsOnly || m_profile.contactsOnly();
    m_broadcast = options.broadcast || m_profile.broadcast();
    m_messenger->setContactsOnly(m_contactsOnly);
    m_messenger->setBroadcast(m_broadcast);
    m_messenger->setLegacyEncoding(options.legacyEncoding.value_or(m_profile.legacyEncoding()));
    m_transfers = new Transfers(m_messenger, &m_history, this);
    // --downloads and --accept-files (no size limit: a server that collects files) override the profile's settings.
    const QString downloads = !options.downloads.isEmpty() ? options.downloads : m_profile.downloadFolder();
    if (!downloads.isEmpty())
        m_transfers->setDownloadFolder(downloads);
    if (options.acceptFiles)
        m_transfers->setAutoAccept(true);
    else
        m_transfers->setAutoAccept(m_profile.autoAcceptFiles(), m_profile.autoAcceptMaxBytes());
    // The default address (any) gives way to the one saved in the profile's settings.
    const QHostAddress address =
        options.bind == QHostAddress(QHostAddress::Any) ? m_profile.bindAddress() : options.bind;
    return rebind(address, options.port.value_or(m_profile.port()));
}

bool Session::rebind(const QHostAddress& address, quint16 port)
{
    m_bindAddress = address;
    m_bindPort = port;
    m_listening = m_transport.bind(address, port);
    if (!m_listening) {
        m_error = m_transport.errorString();
        return false;
    }
    // A window stays open when the first bind fails; the engine starts once the user picked a port that works.
    if (m_messenger && !m_started) {
        m_started = true;
        m_messenger->start();
        m_transfers->start();
    }
    return true;
}

void Session::setContactsOnly(bool on)
{
    m_contactsOnly = on;
    if (m_messenger)
        m_messenger->setContactsOnly(on);
}

void Session::setBroadcast(bool on)
{
    m_broadcast = on;
    // Once started, an exit broadcast without the entry one would be odd: only turning it off applies now.
    if (m_messenger && (!on || !m_started))
        m_messenger->setBroadcast(on);
}

void Session::close()
{
    if (m_transfers)
        m_transfers->stop();
    if (m_messenger && m_listening)
        m_messenger->stop();
    m_listening = false;
    m_history.commit();
}
