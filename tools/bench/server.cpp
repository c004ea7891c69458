// SPDX-License-Identifier: GPL-2.0
#include "server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common.hpp"
#include "tests.hpp"

namespace rsk_bench {

namespace {

/*
 * What the server's reactor waits on: epoll, or poll(2) over the same set
 * for rsockets, whose preload library has no epoll but turns poll() into
 * rpoll(), which takes rsockets and other descriptors alike.
 */
class Poller {
public:
	explicit Poller(bool use_epoll)
	{
		if (use_epoll && (ep_ = UniqueFd(epoll_create1(EPOLL_CLOEXEC))).get() < 0)
			throw SetupError("epoll_create1: " + errno_text(errno));
	}

	bool add(int fd)
	{
		if (ep_.get() < 0) {
			fds_.push_back(fd);
			return true;
		}
		epoll_event ev{};
		ev.events = EPOLLIN;
		ev.data.fd = fd;
		return epoll_ctl(ep_.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
	}

	void del(int fd)
	{
		if (ep_.get() >= 0)
			epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr);
		else
			std::erase(fds_, fd);
	}

	/* The descriptors ready to read (at most 64 with epoll); -1 on error. */
	int wait(std::vector<int> &ready, int ms)
	{
		ready.clear();
		if (ep_.get() >= 0) {
			epoll_event ev[64];
			int n = epoll_wait(ep_.get(), ev, 64, ms);
			for (int i = 0; i < n; i++)
				ready.push_back(ev[i].data.fd);
			return n;
		}
		std::vector<pollfd> p;
		for (int fd : fds_)
			p.push_back({fd, POLLIN, 0});
		int n = poll(p.data(), p.size(), ms);
		for (const pollfd &x : p)
			if (x.revents)
				ready.push_back(x.fd);
		return n;
	}

private:
	UniqueFd ep_;
	std::vector<int> fds_;	/* poll(2)'s set */
};

/*
 * Threads that each serve one stream, pingpong or dgram connection.
 * stop_all() shuts their sockets down (so blocked reads return) and joins
 * them.
 */
class Workers {
public:
	template <class Fn>
	void start(Socket sock, Fn fn)
	{
		std::lock_guard<std::mutex> g(mu_);
		Worker &w = list_.emplace_back();
		w.fd = sock.fd();
		w.thread = std::thread([this, &w, fn, s = std::move(sock)]() mutable {
			fn(s);
			{
				std::lock_guard<std::mutex> g(mu_);
				w.fd = -1;	/* stop_all() must not touch it once closed */
			}
			s.close();
			w.done = true;
		});
	}

	/* Joins the threads that have finished. */
	void reap()
	{
		std::lock_guard<std::mutex> g(mu_);
		for (auto it = list_.begin(); it != list_.end();) {
			if (it->done) {
				it->thread.join();
				it = list_.erase(it);
			} else {
				++it;
			}
		}
	}

	void stop_all()
	{
		{
			std::lock_guard<std::mutex> g(mu_);
			for (Worker &w : list_)
				if (w.fd >= 0)
					::shutdown(w.fd, SHUT_RDWR);
		}
		for (Worker &w : list_)	/* no one adds now: the reactor has stopped */
			w.thread.join();
		list_.clear();
	}

	size_t active()
	{
		std::lock_guard<std::mutex> g(mu_);
		return list_.size();
	}

private:
	struct Worker {
		std::thread thread;
		int fd = -1;
		std::atomic<bool> done{false};
	};
	std::mutex mu_;
	std::list<Worker> list_;
};

/*
 * One thread (run()) accepts, reads each connection's header without
 * blocking and answers connrate and idle connections itself, keeping them
 * ("parked") until the client closes.  Stream, pingpong and dgram
 * connections go to a thread each, which blocks with timeouts (serve(),
 * then the test's serve_*()).  SIGTERM or SIGINT stops it.
 */
class Server {
public:
	Server(Transport transport, Address addr, ServerOptions opt)
		: transport_(std::move(transport)), addr_(std::move(addr)), opt_(opt) {}

	int run()
	{
		setup();
		printf("rsk_bench ready\n");
		fflush(stdout);
		log_line(strprintf("server: %s, listening on %s", transport_.name().c_str(),
				   addr_.str().c_str()));

		auto next_sweep = Clock::now() + 1s;
		int signo = 0;
		std::vector<int> ready;
		while (!signo) {
			int n = poller_->wait(ready, 500);
			if (n < 0 && errno != EINTR) {
				log_line("server: waiting: " + errno_text(errno));
				break;
			}
			for (int fd : ready) {
				if (fd == sigfd_.get())
					signo = read_signal();
				else if (fd == listener_.fd())
					on_listener();
				else
					on_conn(fd);
			}
			if (Clock::now() >= next_sweep) {
				sweep();
				workers_.reap();
				next_sweep = Clock::now() + 1s;
			}
		}

		stopping_ = true;
		listener_.close();
		conns_.clear();
		workers_.stop_all();
		log_line(strprintf("server: stopped by %s", signo ? sigabbrev_np(signo) : "an error"));
		return signo ? kExitOk : kExitFailure;
	}

private:
	/*
	 * Header: reading it; Parked: acked, only the end may come (connrate,
	 * idle); Held: acked and never read, off the poller (busy), until a
	 * Release or its deadline.
	 */
	enum class State { Header, Parked, Held };

	struct Conn {
		Socket sock;
		std::string peer;
		State state = State::Header;
		wire::HeaderBytes buf{};
		size_t have = 0;
		Clock::time_point deadline;
	};

	void setup()
	{
		sigset_t mask;

		/* Before any thread exists, so that all inherit the mask. */
		sigemptyset(&mask);
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGINT);
		pthread_sigmask(SIG_BLOCK, &mask, nullptr);
		sigfd_ = UniqueFd(signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
		if (sigfd_.get() < 0)
			throw SetupError("signalfd: " + errno_text(errno));
		poller_.emplace(transport_.full_api());
		try {
			listener_ = transport_.open(addr_);
			listener_.listen(addr_);
		} catch (const TestError &e) {
			throw SetupError(e.what());
		}
		if (!watch(sigfd_.get()) || !watch(listener_.fd()))
			throw SetupError("epoll_ctl: " + errno_text(errno));
	}

	bool watch(int fd) { return poller_->add(fd); }

	int read_signal()
	{
		signalfd_siginfo si;

		return read(sigfd_.get(), &si, sizeof(si)) == sizeof(si) ? si.ssi_signo : SIGTERM;
	}

	void on_listener()
	{
		for (;;) {
			sockaddr_storage ss;
			socklen_t len = sizeof(ss);
			/* accept, not accept4: rsockets' preload has no accept4 */
			int fd = accept(listener_.fd(), reinterpret_cast<sockaddr *>(&ss), &len);
			if (fd < 0) {
				if (errno == EINTR || errno == ECONNABORTED)
					continue;
				if (errno != EAGAIN && errno != EWOULDBLOCK) {
					log_line("server: accept: " + errno_text(errno));
					if (errno == EMFILE || errno == ENFILE)
						std::this_thread::sleep_for(100ms);
				}
				return;
			}
			fcntl(fd, F_SETFD, FD_CLOEXEC);
			Conn c;
			c.sock = Socket(fd);
			c.peer = Address(reinterpret_cast<sockaddr *>(&ss), len).str();
			c.deadline = Clock::now() + opt_.timeout;
			if (!watch(fd)) {
				log_line("server: epoll_ctl: " + errno_text(errno));
				continue;
			}
			conns_.insert_or_assign(fd, std::move(c));
		}
	}

	void on_conn(int fd)
	{
		auto it = conns_.find(fd);
		if (it == conns_.end())
			return;
		Conn &c = it->second;

		if (c.state == State::Parked) {
			/* connrate and idle: only the end of the stream may come */
			char junk[64];
			ssize_t n = recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return;
			if (n < 0 && errno != ECONNRESET)
				log_line("server: " + c.peer + ": recv: " + errno_text(errno));
			else if (n > 0)
				log_line("server: " + c.peer + ": unexpected data after the header");
			drop(it);
			return;
		}

		ssize_t n = recv(fd, c.buf.data() + c.have, c.buf.size() - c.have, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n <= 0) {
			if (n < 0)
				log_line("server: " + c.peer + ": recv: " + errno_text(errno));
			else if (c.have)
				log_line(strprintf("server: %s: closed after %zu header bytes",
						   c.peer.c_str(), c.have));
			drop(it);
			return;
		}
		c.have += n;

		if (c.buf[0] == static_cast<uint8_t>(wire::Test::Connrate)) {
			if (c.have != 1 || send(fd, c.buf.data(), 1, MSG_DONTWAIT | MSG_NOSIGNAL) != 1) {
				log_line("server: " + c.peer + ": connrate: " +
					 (c.have != 1 ? std::string("more than one byte") : errno_text(errno)));
				drop(it);
				return;
			}
			c.state = State::Parked;
			return;
		}
		if (c.have < wire::kHeaderSize)
			return;

		wire::Header h;
		if (auto err = wire::decode(c.buf, h)) {
			log_line("server: " + c.peer + ": " + *err);
			auto ack = wire::encode(wire::Ack{wire::AckStatus::BadHeader, 0});
			send(fd, ack.data(), ack.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
			drop(it);
			return;
		}
		if (h.test == wire::Test::Idle || h.test == wire::Test::Busy ||
		    h.test == wire::Test::Release) {
			park(it, h.test);
			return;
		}

		/* stream, pingpong, dgram: a thread of their own */
		poller_->del(fd);
		Socket sock = std::move(c.sock);
		std::string peer = std::move(c.peer);
		conns_.erase(it);
		workers_.start(std::move(sock), [this, h, peer](Socket &s) { serve(s, h, peer); });
	}

	/*
	 * Ack an idle, busy or release connection.  Idle ones are parked;
	 * busy ones held unread, so that what their clients send stays
	 * queued; a release closes every held one first, then itself.
	 */
	void park(std::unordered_map<int, Conn>::iterator it, wire::Test test)
	{
		Conn &c = it->second;
		int fd = it->first;

		if (test == wire::Test::Release)
			std::erase_if(conns_, [](const auto &kv) { return kv.second.state == State::Held; });
		auto ack = wire::encode(wire::Ack{});
		if (send(fd, ack.data(), ack.size(), MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)ack.size()) {
			log_line("server: " + c.peer + ": " + wire::test_name(test) + ": send: " +
				 errno_text(errno));
			drop(it);
			return;
		}
		if (test == wire::Test::Idle) {
			c.state = State::Parked;
		} else if (test == wire::Test::Busy) {
			poller_->del(fd);
			c.state = State::Held;
			c.deadline = Clock::now() + opt_.timeout;
		} else {
			c.state = State::Parked;	/* its client closes it */
		}
	}

	/* Drops connections that sent no complete header, or were held, too long. */
	void sweep()
	{
		auto now = Clock::now();

		std::erase_if(conns_, [&](const auto &kv) {
			const Conn &c = kv.second;
			if (c.state == State::Parked || now < c.deadline)
				return false;
			if (c.state == State::Held)
				return true;	/* off the poller already */
			log_line(strprintf("server: %s: no header within %.1f s, closing", c.peer.c_str(),
					   opt_.timeout.count() / 1000.0));
			poller_->del(kv.first);
			return true;
		});
	}

	/* Forget a connection, before its descriptor closes (poll's set has it). */
	void drop(std::unordered_map<int, Conn>::iterator it)
	{
		poller_->del(it->first);
		conns_.erase(it);
	}

	void serve(Socket &s, const wire::Header &h, const std::string &peer)
	{
		Session session{s, h, peer, transport_, addr_, opt_, stopping_};

		try {
			if (transport_.full_api())
				s.set_timeouts(opt_.timeout);
			if (h.test == wire::Test::Stream)
				serve_stream(session);
			else if (h.test == wire::Test::Dgram)
				serve_dgram(session);
			else
				serve_pingpong(session);
		} catch (const TestError &e) {
			if (!stopping_)
				log_line(strprintf("server: %s: %s: %s", peer.c_str(),
						   wire::test_name(h.test), e.what()));
		}
	}

	Transport transport_;
	Address addr_;
	ServerOptions opt_;
	Socket listener_;
	std::optional<Poller> poller_;
	UniqueFd sigfd_;
	std::unordered_map<int, Conn> conns_;
	Workers workers_;
	std::atomic<bool> stopping_{false};
};

} /* namespace */

int run_server(const Transport &transport, const Address &addr, const ServerOptions &opt)
{
	return Server(transport, addr, opt).run();
}

} /* namespace rsk_bench */
