#pragma once

#include <QString>

class Messenger;
class QWidget;

// The GUI's answer to Messenger::keyChanged (issue 13): a window-modal warning that does not block the event loop,
// "Trust New Key" or "Not Now". Until trusted, nothing is sent to or shown from the peer; the contact dialog shows
// both fingerprints to compare first. A verified contact's key change gets the stronger warning.
void askToTrust(QWidget* parent, Messenger* messenger, const QString& peer, bool wasVerified);
