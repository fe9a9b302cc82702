#include "hashworker.h"

#include "sha256.h"

HashWorker::HashWorker()
    : m_thread([this] { run(); })
{
}

HashWorker::~HashWorker()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

void HashWorker::add(Sha256* hash, QByteArray bytes)
{
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_queuedBytes == 0 || m_queuedBytes + bytes.size() <= MaxQueuedBytes; });
    m_queuedBytes += bytes.size();
    ++m_unfinished;
    m_queue.push_back({hash, std::move(bytes)});
    lock.unlock();
    m_changed.notify_all();
}

void HashWorker::wait()
{
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_unfinished == 0; });
}

void HashWorker::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_changed.wait(lock, [&] { return m_stop || !m_queue.empty(); });
        if (m_queue.empty())
            return;
        Block block = std::move(m_queue.front());
        m_queue.pop_front();
        lock.unlock();
        block.hash->addData(block.bytes);
        lock.lock();
        m_queuedBytes -= block.bytes.size();
        --m_unfinished;
        m_changed.notify_all();
    }
}
