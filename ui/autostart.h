#pragma once

#include <QString>

// Starting Pigeon at login: an XDG autostart entry, $XDG_CONFIG_HOME/autostart/pigeon.desktop (Desktop Application
// Autostart Specification 0.5), which desktops run when the user logs in.
namespace autostart {

// Where the entry is; ~/.config/autostart/pigeon.desktop unless XDG_CONFIG_HOME says otherwise.
QString entryPath();
bool isEnabled();
// Writes the entry (running `pigeon`, with --profile `profileDir` unless that is empty: the default profile), or
// removes it. false, with the reason in *error, when the file cannot be written or removed.
bool setEnabled(bool on, const QString& profileDir, QString* error);

} // namespace autostart
