#pragma once

#include <QByteArray>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

class Sha256;

// Feeds SHA-256 digests on a worker thread of its own, block after block in the order they were added, so that the
// thread receiving a file does not spend its time hashing (a fifth of a receiver's CPU time on loopback, where it
// held the transfer back). A digest given to add() belongs to the worker until wait() returns: read or reset it only
// after that. At most MaxQueuedBytes wait to be hashed; add() blocks while more would.
class HashWorker {
public:
    HashWorker();
    // Hashes what is queued, then ends the thread.
    ~HashWorker();
    HashWorker(const HashWorker&) = delete;
    HashWorker& operator=(const HashWorker&) = delete;

    // Queues `bytes` for `hash` (no copy: QByteArray shares them).
    void add(Sha256* hash, QByteArray bytes);
    // Returns once every block added so far is in its digest.
    void wait();

    static constexpr qsizetype MaxQueuedBytes = 4 << 20;

private:
    struct Block {
        Sha256* hash;
        QByteArray bytes;
    };
    void run();

    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Block> m_queue;
    qsizetype m_queuedBytes = 0; // in m_queue and the block being hashed
    qsizetype m_unfinished = 0;  // blocks in m_queue and the one being hashed (an empty block counts too)
    bool m_stop = false;
    std::thread m_thread;
};
