#pragma once

#include <QDialog>
#include <QHostAddress>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

// Nickname, and the address and port Pigeon listens on.
class SettingsDialog final : public QDialog {
    Q_OBJECT
public:
    SettingsDialog(const QString& nick, const QHostAddress& bind, quint16 port, QWidget* parent = nullptr);

    QString nick() const;
    QHostAddress bindAddress() const;
    quint16 port() const;

private:
    void validate();

    QLineEdit* m_nick;
    QLineEdit* m_bind;
    QSpinBox* m_port;
    QLabel* m_error;
    QDialogButtonBox* m_buttons;
};
