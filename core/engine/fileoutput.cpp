#include "cryptowire.h"
#include "filewire.h"
#include "messenger.h"

#include <charconv>
#include <cstring>

// File datagrams are IPMsg packets of mode filewire::Mode with the last packet number (no number of their own, so a
// large transfer does not run the message numbers ahead of the clock) and empty user and host fields (the receiver
// knows its peer by address and port; a sealed datagram's envelope authenticates it), which leaves the room to
// filewire::ChunkBytes.
static_assert(sizeof("1_pigeon " PIGEON_VERSION) - 1 <= 19, "filewire::MaxFileHeaderBytes counts 19 for the version");
static_assert(2 * filewire::MaxFileHeaderBytes + filewire::DataHeaderBytes + filewire::ChunkBytes +
                      cryptowire::Overhead <=
                  filewire::MaxDatagramBytes,
              "a sealed data datagram fits a 1 500-byte Ethernet MTU over IPv6");

Messenger::FileOutput::FileOutput(Messenger* messenger, const Endpoint& to)
    : m_messenger(messenger)
    , m_to(to)
{
    if (messenger->m_sealer) {
        m_channel = messenger->m_sealer->channelFor(messenger->m_directory.peerFor(to));
        // What sendDatagram looks up per datagram, once.
        m_own = messenger->m_own.contains(to);
        if (const PeerDirectory::Peer* l = messenger->m_directory.find(to))
            m_local = l->local;
    }
    // The header, as ipmsg::encode writes it: version ':' packet number ":::" command ':'.
    QByteArray& out = messenger->m_fileDatagram;
    out.resize(0);
    out.append(messenger->versionField()).append(':');
    char digits[24];
    const auto number =
        std::to_chars(digits, digits + sizeof digits, std::max<quint64>(1, messenger->m_numbers.last()));
    out.append(digits, number.ptr - digits).append(":::");
    const auto mode = std::to_chars(digits, digits + sizeof digits, filewire::Mode);
    out.append(digits, mode.ptr - digits).append(':');
    m_header = out.size();
}

char* Messenger::FileOutput::payload(qsizetype bytes)
{
    QByteArray& out = m_messenger->m_fileDatagram;
    out.resize(m_header + bytes + 1);
    out[m_header + bytes] = '\0';
    return out.data() + m_header;
}

bool Messenger::FileOutput::send()
{
    const QByteArray& datagram = m_messenger->m_fileDatagram;
    if (m_channel)
        return !m_own &&
               m_messenger->m_transport->send(m_messenger->m_sealer->seal(*m_channel, datagram), m_to, m_local);
    return m_messenger->output(datagram, m_to);
}

Messenger::FileOutput Messenger::fileOutput(const Endpoint& to)
{
    return FileOutput(this, to);
}

void Messenger::sendFilePayload(QByteArrayView payload, const Endpoint& to)
{
    FileOutput out = fileOutput(to);
    std::memcpy(out.payload(payload.size()), payload.data(), size_t(payload.size()));
    out.send();
}
