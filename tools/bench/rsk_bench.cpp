// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_bench: throughput, latency, connection rate and idle cost of rdmasock
 * stream sockets, and the rate and loss of its datagram sockets, measured
 * the same way over TCP and UDP for comparison.
 *
 * One binary, two roles.  The server accepts connections until SIGTERM.
 * Every connection opens with a header naming its test, so one server runs
 * any mix of tests, one after another or at once.  The client runs one
 * test and prints one line per result, or one JSON object with --json.
 *
 * Layout, top to bottom: errors and small helpers; Address, Transport and
 * Socket (the only code that tells the two families apart); the stream
 * pattern; the wire protocol; the server; one function per client test;
 * the command line.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <endian.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <latch>
#include <list>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <linux/rdma_sock.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common.hpp"
#include "net.hpp"
#include "output.hpp"
#include "pattern.hpp"
#include "smc_nl.hpp"
#include "stats.hpp"
#include "transport.hpp"
#include "wire.hpp"

namespace rsk_bench {

constexpr uint16_t kDefaultPort = 5301;
constexpr size_t kServerRecvBuffer = 1 << 20;	// stream: the server's reads
constexpr size_t kMaxWrite = 64 << 20;		// stream -w

/* ------------------------------------------------------------ server */

struct ServerOptions {
	milliseconds timeout{10s};	/* header, and each read or write of a session */
	uint64_t corrupt_every = 0;
	bool verbose = false;
};

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
 * Threads that each serve one stream or pingpong connection.  stop_all()
 * shuts their sockets down (so blocked reads return) and joins them.
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
 * ("parked") until the client closes.  Stream and pingpong connections go to
 * a thread each, which blocks with timeouts.  SIGTERM or SIGINT stops it.
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
	enum class State { Header, Parked };

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
		if (h.test == wire::Test::Idle) {
			auto ack = wire::encode(wire::Ack{});
			if (send(fd, ack.data(), ack.size(), MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)ack.size()) {
				log_line("server: " + c.peer + ": idle: send: " + errno_text(errno));
				drop(it);
				return;
			}
			c.state = State::Parked;
			return;
		}

		/* stream, pingpong, dgram: a thread of their own */
		poller_->del(fd);
		Socket sock = std::move(c.sock);
		std::string peer = std::move(c.peer);
		conns_.erase(it);
		workers_.start(std::move(sock), [this, h, peer](Socket &s) { serve(s, h, peer); });
	}

	/* Drops connections that sent no complete header in time. */
	void sweep()
	{
		auto now = Clock::now();

		std::erase_if(conns_, [&](const auto &kv) {
			const Conn &c = kv.second;
			if (c.state != State::Header || now < c.deadline)
				return false;
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
		try {
			if (transport_.full_api())
				s.set_timeouts(opt_.timeout);
			if (h.test == wire::Test::Stream)
				serve_stream(s, h, peer);
			else if (h.test == wire::Test::Dgram)
				serve_dgram(s, h, peer);
			else
				serve_pingpong(s, h, peer);
		} catch (const TestError &e) {
			if (!stopping_)
				log_line(strprintf("server: %s: %s: %s", peer.c_str(),
						   wire::test_name(h.test), e.what()));
		}
	}

	static void send_ack(Socket &s, wire::Ack ack)
	{
		auto b = wire::encode(ack);
		s.send_all(b.data(), b.size());
	}

	/* Reads to the end of the stream, checking the pattern; reports the count. */
	void serve_stream(Socket &s, const wire::Header &h, const std::string &peer)
	{
		Pattern pattern(h.seed, h.verify);
		Corrupter corrupt(opt_.corrupt_every);
		std::vector<uint8_t> buf(kServerRecvBuffer);
		std::optional<uint64_t> bad;
		uint64_t off = 0;
		Clock::time_point first{};

		send_ack(s, {});
		for (;;) {
			size_t n = s.recv_some(buf.data(), buf.size());
			if (!n)
				break;
			if (stopping_)
				throw TestError("server stopping");	/* not logged */
			if (!off)
				first = Clock::now();
			corrupt.apply(buf.data(), n, off);
			if (!bad)
				bad = pattern.check(buf.data(), n, off);
			off += n;
		}
		auto elapsed = off ? Clock::now() - first : Clock::duration{};

		wire::Report r;
		r.status = bad ? wire::ReportStatus::Corrupt : wire::ReportStatus::Ok;
		r.bytes = off;
		r.elapsed_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
		r.bad_offset = bad.value_or(0);
		auto b = wire::encode(r);
		s.send_all(b.data(), b.size());

		if (bad)
			log_line(strprintf("server: %s: stream: data differs from the pattern at offset %llu",
					   peer.c_str(), (unsigned long long)*bad));
		else if (opt_.verbose)
			log_line(strprintf("server: %s: stream: %llu bytes, verify %s, ok", peer.c_str(),
					   (unsigned long long)off, verify_name(h.verify)));
	}

	/* Echoes msg_size-byte messages until the client closes. */
	void serve_pingpong(Socket &s, const wire::Header &h, const std::string &peer)
	{
		wire::Ack ack;

		if (int err = s.try_set_option(IPPROTO_TCP, TCP_NODELAY, 1))
			ack = {wire::AckStatus::OptionFailed, static_cast<uint32_t>(err)};
		else if (h.busy_poll_us)
			if (int err = s.try_set_option(SOL_SOCKET, SO_BUSY_POLL, h.busy_poll_us))
				ack = {wire::AckStatus::OptionFailed, static_cast<uint32_t>(err)};
		send_ack(s, ack);
		if (ack.status != wire::AckStatus::Ok)
			return;

		Corrupter corrupt(opt_.corrupt_every);
		std::vector<uint8_t> msg(h.msg_size);
		uint64_t off = 0;
		while (s.recv_exact(msg.data(), msg.size(), "message", true)) {
			if (stopping_)
				return;
			corrupt.apply(msg.data(), msg.size(), off);
			off += msg.size();
			s.send_all(msg.data(), msg.size());
		}
		if (opt_.verbose)
			log_line(strprintf("server: %s: pingpong: %llu messages of %u bytes, busy_poll %u",
					   peer.c_str(), (unsigned long long)(off / h.msg_size),
					   h.msg_size, h.busy_poll_us));
	}

	/*
	 * Counts and checks the datagrams sent to a socket of its own until
	 * the client says, on the control connection, how many it sent; then
	 * waits for stragglers (300 ms of quiet) and reports: bytes is the
	 * count received, bad_offset the count that failed the stamp check.
	 */
	void serve_dgram(Socket &ctl, const wire::Header &h, const std::string &peer)
	{
		Address at = addr_.with_port(0);
		Socket d = transport_.open(at, SOCK_DGRAM);
		sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		wire::Ack ack;

		d.try_set_option(SOL_SOCKET, SO_RCVBUF, 8 << 20);
		if (::bind(d.fd(), at.sa(), at.len()) ||
		    getsockname(d.fd(), reinterpret_cast<sockaddr *>(&ss), &len))
			ack = {wire::AckStatus::OptionFailed, static_cast<uint32_t>(errno)};
		else
			ack.err = Address(reinterpret_cast<sockaddr *>(&ss), len).port();
		send_ack(ctl, ack);
		if (ack.status != wire::AckStatus::Ok)
			return;

		std::vector<uint8_t> buf(kMaxDatagram + 1);
		uint64_t got = 0, bad = 0, sent = 0;
		Clock::time_point first{}, last{};
		bool told = false;
		Clock::time_point quiet_until{};
		for (;;) {
			pollfd p[2] = {{d.fd(), POLLIN, 0}, {ctl.fd(), told ? (short)0 : (short)POLLIN, 0}};
			int n = poll(p, 2, 100);
			if (stopping_)
				throw TestError("server stopping");	/* not logged */
			if (told && n == 0 && Clock::now() >= quiet_until)
				break;
			if (p[1].revents) {
				uint8_t b[8];
				ctl.recv_exact(b, 8, "the count of datagrams sent");
				sent = wire::get64(b);
				told = true;
				quiet_until = Clock::now() + 300ms;
			}
			while (p[0].revents) {
				ssize_t r = recv(d.fd(), buf.data(), buf.size(), MSG_DONTWAIT);
				if (r < 0)
					break;
				last = Clock::now();
				if (!got++)
					first = last;
				if (r != (ssize_t)h.msg_size ||
				    wire::get64(&buf[8]) != (h.seed ^ wire::get64(&buf[0])))
					bad++;
				quiet_until = last + 300ms;
			}
		}
		wire::Report r;
		r.status = bad ? wire::ReportStatus::Corrupt : wire::ReportStatus::Ok;
		r.bytes = got;
		r.elapsed_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(last - first).count();
		r.bad_offset = bad;
		auto b = wire::encode(r);
		ctl.send_all(b.data(), b.size());
		if (opt_.verbose)
			log_line(strprintf("server: %s: dgram: %llu of %llu datagrams of %u bytes, %llu bad",
					   peer.c_str(), (unsigned long long)got,
					   (unsigned long long)sent, h.msg_size,
					   (unsigned long long)bad));
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

/* ------------------------------------------------------------ client */

struct Client {
	Transport transport;
	Address server;
	milliseconds timeout;
	Reporter &out;

	/* A socket with bounded waits, not yet connected (to set options first). */
	Socket open() const
	{
		Socket s = transport.open(server);
		if (transport.full_api())
			s.set_timeouts(timeout);
		return s;
	}

	Socket dial() const
	{
		Socket s = open();
		s.connect(server);
		return s;
	}

	/* Sends the header and waits for the server's ack, which it returns. */
	wire::Ack start(Socket &s, const wire::Header &h) const
	{
		auto hb = wire::encode(h);
		s.send_all(hb.data(), hb.size());
		wire::AckBytes ab;
		s.recv_exact(ab.data(), ab.size(), "waiting for the server's ack");
		wire::Ack ack = wire::decode_ack(ab);
		if (ack.status == wire::AckStatus::BadHeader)
			throw TestError("the server rejected the header (another rsk_bench version?)");
		if (ack.status == wire::AckStatus::OptionFailed)
			throw TestError("the server could not set the socket options asked for: " +
					errno_text(ack.err));
		return ack;
	}

	json params(json extra) const
	{
		extra["server"] = server.str();
		extra["timeout_s"] = timeout.count() / 1000.0;
		if (transport.is_rdma())
			extra["af"] = transport.rdma_family();
		return extra;
	}
};

/*
 * Runs fn(i, start) on n threads released together at start, which it
 * returns.  Rethrows the first error once all have finished.
 */
template <class Fn>
Clock::time_point run_threads(unsigned n, Fn fn)
{
	Clock::time_point start;
	std::vector<std::thread> threads;
	std::vector<std::exception_ptr> errors(n);
	std::latch go(1);

	threads.reserve(n);
	for (unsigned i = 0; i < n; i++)
		threads.emplace_back([&, i] {
			go.wait();
			try {
				fn(i, start);
			} catch (...) {
				errors[i] = std::current_exception();
			}
		});
	start = Clock::now();
	go.count_down();	/* publishes start */
	for (auto &t : threads)
		t.join();
	for (auto &e : errors)
		if (e)
			std::rethrow_exception(e);
	return start;
}

/* --- stream --- */

struct StreamOptions {
	size_t write_size = 65536;
	unsigned conns = 1;
	double seconds = 5;
	uint64_t bytes = 0;	/* total over all connections; 0: run for seconds */
	Verify verify = Verify::Stamp;
};

void test_stream(const Client &cl, const StreamOptions &o)
{
	struct Conn {
		Socket sock;
		uint64_t seed = 0, quota = 0, sent = 0;
		wire::Report report;
		Clock::time_point end;
	};
	std::vector<Conn> conns(o.conns);
	std::mt19937_64 rng(std::random_device{}());

	for (unsigned i = 0; i < o.conns; i++) {
		Conn &c = conns[i];
		c.seed = rng();
		c.quota = o.bytes / o.conns + (i < o.bytes % o.conns);
		c.sock = cl.dial();
		wire::Header h;
		h.test = wire::Test::Stream;
		h.verify = o.verify;
		h.msg_size = o.write_size;
		h.seed = c.seed;
		cl.start(c.sock, h);
	}

	std::atomic<bool> abort{false};
	auto duration = std::chrono::duration_cast<Clock::duration>(
		std::chrono::duration<double>(o.seconds));
	Clock::time_point start = run_threads(o.conns, [&](unsigned i, Clock::time_point t0) {
		Conn &c = conns[i];
		Clock::time_point deadline = t0 + duration;
		Pattern pattern(c.seed, o.verify);
		std::vector<uint8_t> buf(o.write_size);

		pattern.fill_all(buf.data(), buf.size(), 0);	/* background for stamps */
		try {
			while (!abort) {
				size_t len = o.write_size;
				if (o.bytes) {
					if (c.sent >= c.quota)
						break;
					len = std::min<uint64_t>(len, c.quota - c.sent);
				} else if (Clock::now() >= deadline) {
					break;
				}
				pattern.fill(buf.data(), len, c.sent);
				c.sock.send_all(buf.data(), len);
				c.sent += len;
			}
			c.sock.shutdown_write();
			wire::ReportBytes rb;
			c.sock.recv_exact(rb.data(), rb.size(), "waiting for the server's report");
			c.report = wire::decode_report(rb);
			c.end = Clock::now();
		} catch (const TestError &e) {
			abort = true;
			throw TestError(strprintf("connection %u: %s", i, e.what()));
		}
		if (c.report.status == wire::ReportStatus::Corrupt)
			throw TestError(strprintf("connection %u: the server found data differing from the pattern at stream offset %llu",
						  i, (unsigned long long)c.report.bad_offset));
		if (c.report.bytes != c.sent)
			throw TestError(strprintf("connection %u: the server received %llu bytes, %llu were sent",
						  i, (unsigned long long)c.report.bytes,
						  (unsigned long long)c.sent));
	});

	uint64_t total = 0;
	Clock::time_point end = start;
	json per_conn = json::array();
	for (const Conn &c : conns) {
		total += c.sent;
		end = std::max(end, c.end);
		per_conn.push_back({{"bytes", c.sent}, {"seconds", seconds_between(start, c.end)},
				    {"server_seconds", c.report.elapsed_ns / 1e9}});
	}
	double secs = seconds_between(start, end);
	double mibs = secs > 0 ? total / secs / (1 << 20) : 0;
	double gbits = secs > 0 ? total * 8 / secs / 1e9 : 0;

	json params = {{"write_size", o.write_size}, {"connections", o.conns},
		       {"verify", verify_name(o.verify)}};
	if (o.bytes)
		params["bytes"] = o.bytes;
	else
		params["seconds"] = o.seconds;
	cl.out.result("stream", cl.transport.name(), cl.params(params),
		      {{"bytes", total}, {"seconds", secs}, {"mib_per_s", mibs},
		       {"gbit_per_s", gbits}, {"per_connection", per_conn}},
		      strprintf("stream %s w=%zu n=%u: %.1f MiB/s %.2f Gbit/s (%.1f MiB in %.2f s)",
				cl.transport.name().c_str(), o.write_size, o.conns, mibs, gbits,
				total / double(1 << 20), secs));
}

/* --- pingpong --- */

struct PingpongOptions {
	size_t size = 64;
	uint64_t iterations = 10000;
	uint64_t warmup = 1000;
	int busy_poll = 0;	/* usec; 0 leaves SO_BUSY_POLL alone */
};

void test_pingpong(const Client &cl, const PingpongOptions &o)
{
	Socket s = cl.open();
	s.set_nodelay();
	if (o.busy_poll)
		s.set_busy_poll(o.busy_poll);
	s.connect(cl.server);
	wire::Header h;
	h.test = wire::Test::Pingpong;
	h.busy_poll_us = o.busy_poll;
	h.msg_size = o.size;
	cl.start(s, h);

	std::vector<uint8_t> out(o.size), in(o.size);
	std::vector<double> rtt;
	Pattern(std::random_device{}(), Verify::Full).fill_all(out.data(), out.size(), 0);
	rtt.reserve(o.iterations);

	for (uint64_t i = 0; i < o.warmup + o.iterations; i++) {
		memcpy(out.data(), &i, std::min<size_t>(8, o.size));	/* stale echoes differ */
		auto t0 = Clock::now();
		s.send_all(out.data(), out.size());
		s.recv_exact(in.data(), in.size(), "waiting for the echo");
		auto t1 = Clock::now();
		if (memcmp(in.data(), out.data(), o.size)) {
			size_t k = std::mismatch(in.begin(), in.end(), out.begin()).first - in.begin();
			throw TestError(strprintf("the echo of message %llu differs from it at byte %zu",
						  (unsigned long long)i, k));
		}
		if (i >= o.warmup)
			rtt.push_back(to_us(t1 - t0));
	}
	s.close();

	Summary r = Summary::of(std::move(rtt));
	cl.out.result("pingpong", cl.transport.name(),
		      cl.params({{"size", o.size}, {"iterations", o.iterations},
				 {"warmup", o.warmup}, {"busy_poll_us", o.busy_poll}}),
		      {{"rtt", r.to_json()}},
		      strprintf("pingpong %s s=%zu busy_poll=%d: rtt median %.2f us p99 %.2f us p99.9 %.2f us mean %.2f us (%llu iterations)",
				cl.transport.name().c_str(), o.size, o.busy_poll, r.median, r.p99,
				r.p999, r.mean, (unsigned long long)o.iterations));
}

/* --- connrate --- */

struct ConnrateOptions {
	uint64_t count = 1000;	/* total over all threads */
	unsigned threads = 1;
};

void test_connrate(const Client &cl, const ConnrateOptions &o)
{
	std::vector<std::vector<double>> lat(o.threads);
	std::vector<Clock::time_point> ends(o.threads);
	std::atomic<bool> abort{false};

	Clock::time_point start = run_threads(o.threads, [&](unsigned t, Clock::time_point) {
		uint64_t cycles = o.count / o.threads + (t < o.count % o.threads);
		lat[t].reserve(cycles);
		for (uint64_t i = 0; i < cycles && !abort; i++) {
			try {
				auto t0 = Clock::now();
				Socket s = cl.dial();
				uint8_t b = static_cast<uint8_t>(wire::Test::Connrate), echo = 0;
				s.send_all(&b, 1);
				s.recv_exact(&echo, 1, "waiting for the echo");
				if (echo != b)
					throw TestError(strprintf("echoed 0x%02x for 0x%02x", echo, b));
				s.close();
				lat[t].push_back(to_us(Clock::now() - t0));
			} catch (const TestError &e) {
				abort = true;
				throw TestError(strprintf("thread %u, cycle %llu: %s", t,
							  (unsigned long long)i, e.what()));
			}
		}
		ends[t] = Clock::now();
	});

	std::vector<double> all;
	for (auto &v : lat)
		all.insert(all.end(), v.begin(), v.end());
	double secs = seconds_between(start, *std::max_element(ends.begin(), ends.end()));
	double rate = secs > 0 ? all.size() / secs : 0;
	Summary r = Summary::of(std::move(all));
	cl.out.result("connrate", cl.transport.name(),
		      cl.params({{"count", o.count}, {"threads", o.threads}}),
		      {{"connections", r.n}, {"seconds", secs}, {"per_s", rate},
		       {"cycle", r.to_json()}},
		      strprintf("connrate %s c=%llu P=%u: %.1f conn/s (cycle median %.1f us p99 %.1f us)",
				cl.transport.name().c_str(), (unsigned long long)o.count, o.threads,
				rate, r.median, r.p99));
}

/* --- dgram --- */

struct DgramOptions {
	size_t size = 64;
	double seconds = 5;
};

/*
 * Datagrams of -s bytes sent as fast as send() takes them for -t seconds
 * to a socket the server reads as fast as it can: the rate sent, the rate
 * received and what was lost on the way.  Each carries its sequence number
 * and, next to it, the number xor a seed, which the server checks.
 */
void test_dgram(const Client &cl, const DgramOptions &o)
{
	Socket ctl = cl.dial();
	wire::Header h;
	h.test = wire::Test::Dgram;
	h.msg_size = o.size;
	h.seed = std::mt19937_64(std::random_device{}())();
	uint16_t port = cl.start(ctl, h).err;

	Address to = cl.server.with_port(port);
	Socket d = cl.transport.open(to, SOCK_DGRAM);
	if (cl.transport.full_api())
		d.set_timeouts(cl.timeout);
	d.connect(to);
	std::vector<uint8_t> buf(o.size);
	Pattern(h.seed, Verify::Full).fill_all(buf.data(), buf.size(), 0);
	uint64_t sent = 0, refused = 0;
	auto duration = std::chrono::duration_cast<Clock::duration>(
		std::chrono::duration<double>(o.seconds));
	Clock::time_point start = Clock::now(), end;
	while ((end = Clock::now()) - start < duration) {
		wire::put64(&buf[0], sent);
		wire::put64(&buf[8], h.seed ^ sent);
		if (::send(d.fd(), buf.data(), buf.size(), 0) == (ssize_t)buf.size()) {
			sent++;
			continue;
		}
		/* UDP's: a port unreachable answer, or a full device queue */
		if (errno == ECONNREFUSED || errno == ENOBUFS)
			refused++;
		else if (errno != EINTR)
			d.fail("send");
	}
	uint8_t count[8];
	wire::put64(count, sent);
	ctl.send_all(count, sizeof(count));
	wire::ReportBytes rb;
	ctl.recv_exact(rb.data(), rb.size(), "waiting for the server's report");
	wire::Report r = wire::decode_report(rb);
	if (r.status == wire::ReportStatus::Corrupt)
		throw TestError(strprintf("the server received %llu datagrams that differ from what was sent",
					  (unsigned long long)r.bad_offset));

	double secs = seconds_between(start, end);
	double rsecs = r.elapsed_ns / 1e9;
	double sent_rate = secs > 0 ? sent / secs : 0;
	double recv_rate = rsecs > 0 ? r.bytes / rsecs : 0;
	double loss = sent ? 100.0 * (sent - std::min(sent, r.bytes)) / sent : 0;
	double mbs = recv_rate * o.size / 1e6;
	std::string name = cl.transport.dgram_name();
	cl.out.result("dgram", cl.transport.name(),
		      cl.params({{"size", o.size}, {"seconds", o.seconds}, {"socket", name}}),
		      {{"sent", sent}, {"send_errors", refused}, {"sent_per_s", sent_rate},
		       {"received", r.bytes}, {"received_per_s", recv_rate},
		       {"receive_seconds", rsecs}, {"loss_pct", loss}, {"mb_per_s", mbs}},
		      strprintf("dgram %s s=%zu: sent %.0f/s, received %.0f/s = %.2f MB/s, %.1f%% lost (%llu of %llu)",
				name.c_str(), o.size, sent_rate, recv_rate, mbs, loss,
				(unsigned long long)(sent - std::min(sent, r.bytes)),
				(unsigned long long)sent));
}

/* --- idle --- */

struct IdleOptions {
	uint64_t count = 1000;
	double seconds = 10;
};

struct MemInfo {
	long long slab_kb = -1, available_kb = -1;

	static MemInfo read()
	{
		MemInfo m;
		FILE *f = fopen("/proc/meminfo", "re");
		char line[256];

		if (!f)
			return m;
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "Slab: %lld kB", &m.slab_kb);
			sscanf(line, "MemAvailable: %lld kB", &m.available_kb);
		}
		fclose(f);
		return m;
	}
};

void test_idle(const Client &cl, const IdleOptions &o)
{
	rlimit rl{};
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur != RLIM_INFINITY && o.count + 32 > rl.rlim_cur)
		throw SetupError(strprintf("idle -c %llu needs %llu file descriptors, RLIMIT_NOFILE allows %llu (ulimit -n)",
					   (unsigned long long)o.count,
					   (unsigned long long)(o.count + 32),
					   (unsigned long long)rl.rlim_cur));

	MemInfo before = MemInfo::read();
	auto t0 = Clock::now();
	std::vector<Socket> conns;
	conns.reserve(o.count);
	wire::Header h;
	h.test = wire::Test::Idle;
	auto hb = wire::encode(h);
	for (uint64_t i = 0; i < o.count; i++) {
		try {
			conns.push_back(cl.dial());
			conns.back().send_all(hb.data(), hb.size());
		} catch (const TestError &e) {
			throw TestError(strprintf("connection %llu: %s", (unsigned long long)i, e.what()));
		}
	}
	for (uint64_t i = 0; i < o.count; i++) {	/* each acked: the server holds it too */
		wire::AckBytes ab;
		try {
			conns[i].recv_exact(ab.data(), ab.size(), "waiting for the server's ack");
		} catch (const TestError &e) {
			throw TestError(strprintf("connection %llu: %s", (unsigned long long)i, e.what()));
		}
		if (wire::decode_ack(ab).status != wire::AckStatus::Ok)
			throw TestError(strprintf("connection %llu: the server refused it",
						  (unsigned long long)i));
	}
	double open_secs = seconds_between(t0, Clock::now());
	MemInfo held = MemInfo::read();

	cl.out.status(strprintf("idle holding %llu", (unsigned long long)o.count));
	std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));

	/* Nothing may have come meanwhile: no data, no end of stream, no error. */
	std::vector<pollfd> pfds;
	for (const Socket &s : conns)
		pfds.push_back({s.fd(), POLLIN | POLLRDHUP, 0});
	if (poll(pfds.data(), pfds.size(), 0) < 0)
		throw TestError("poll: " + errno_text(errno));
	auto dead = std::count_if(pfds.begin(), pfds.end(), [](const pollfd &p) { return p.revents; });
	if (dead)
		throw TestError(strprintf("%ld of the %llu connections ended or failed while held",
					  (long)dead, (unsigned long long)o.count));
	conns.clear();

	auto per_conn = [&](long long a, long long b) {
		return a < 0 || b < 0 ? 0.0 : (b - a) * 1024.0 / o.count;
	};
	double slab_b = per_conn(before.slab_kb, held.slab_kb);
	double avail_b = per_conn(before.available_kb, held.available_kb);
	cl.out.result("idle", cl.transport.name(),
		      cl.params({{"count", o.count}, {"seconds", o.seconds}}),
		      {{"connections", o.count}, {"open_seconds", open_secs},
		       {"slab_kb_before", before.slab_kb}, {"slab_kb_held", held.slab_kb},
		       {"available_kb_before", before.available_kb},
		       {"available_kb_held", held.available_kb},
		       {"slab_bytes_per_conn", slab_b}, {"available_bytes_per_conn", avail_b}},
		      strprintf("idle %s c=%llu: held %llu connections for %.1f s (opened in %.2f s); client side: Slab %lld -> %lld kB (%+.0f B/conn), MemAvailable %lld -> %lld kB (%+.0f B/conn)",
				cl.transport.name().c_str(), (unsigned long long)o.count,
				(unsigned long long)o.count, o.seconds, open_secs, before.slab_kb,
				held.slab_kb, slab_b, before.available_kb, held.available_kb,
				avail_b));
}

/* ------------------------------------------------------------ command line */

/* smc-ueid and smc-lgr: SMC's generic netlink family (smc_nl.cpp). */
int smc_command(CLI::App *ueid, CLI::App *add, CLI::App *del, CLI::App *flush,
		const std::string &eid)
{
	try {
		if (!ueid->parsed())
			printf("%zu\n", smc_nl::smcr_link_groups());
		else if (add->parsed())
			smc_nl::ueid_add(eid);
		else if (del->parsed())
			smc_nl::ueid_del(eid);
		else if (flush->parsed())
			smc_nl::ueid_flush();
		else
			for (const std::string &e : smc_nl::ueid_list())
				printf("%s\n", e.c_str());
		return kExitOk;
	} catch (const std::invalid_argument &e) {
		log_line(e.what());
		return kExitSetup;
	} catch (const std::exception &e) {
		log_line(e.what());
		return kExitFailure;
	}
}

/* Idle and the server hold many sockets: take the hard limit. */
void raise_fd_limit()
{
	rlimit rl{};

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

struct CommonArgs {
	std::string family;
	std::string address;
	uint16_t port = kDefaultPort;
	double timeout = 10;
};

void add_common(CLI::App *app, CommonArgs &a, const char *address_help)
{
	app->add_option("-f,--family", a.family,
			"rdma (the rdma_sock module's family); tcp (the IP stack: TCP, and UDP for dgram; udp is the same); smc (AF_SMC: SMC-R, or TCP where SMC falls back); rsockets (TCP sockets under LD_PRELOAD=librspreload.so)")
		->required()->check(CLI::IsMember({"rdma", "tcp", "udp", "smc", "rsockets"}));
	app->add_option("-a,--address", a.address, address_help)->required();
	app->add_option("-p,--port", a.port, "port")->capture_default_str()
		->check(CLI::Range(1, 65535));
	app->add_option("--timeout", a.timeout, "seconds any one wait (connect, read, write) may take")
		->capture_default_str()->check(CLI::Range(0.001, 86400.0));
}

} /* namespace rsk_bench */

using namespace rsk_bench;

int main(int argc, char **argv)
{
	CLI::App app{"rsk_bench: rdmasock benchmark (stream throughput, latency, connection rate, idle cost; datagram rate and loss), against TCP and UDP"};
	app.require_subcommand(1);
	app.get_formatter()->column_width(32);

	CommonArgs common;
	ServerOptions sopt;
	uint64_t corrupt_every = 0;
	auto *server = app.add_subcommand("server", "serve tests until SIGTERM; prints 'rsk_bench ready' once listening");
	add_common(server, common, "address to listen on");
	server->add_option("--corrupt-every", corrupt_every,
			   "debug: flip the byte at every N-th offset of each stream and pingpong echo")
		->transform(CLI::AsSizeValue(false))->check(CLI::PositiveNumber);
	server->add_flag("-v,--verbose", sopt.verbose, "log each stream and pingpong session");

	bool json_out = false;
	auto *client = app.add_subcommand("client", "run one test against a server");
	add_common(client, common, "the server's address");
	client->add_flag("--json", json_out, "one JSON object per result on stdout (text goes to stderr)");
	client->require_subcommand(1);
	client->fallthrough();	/* client options may follow the test */

	StreamOptions so;
	std::string verify = "stamp";
	auto *stream = client->add_subcommand("stream", "throughput of -n connections writing -w bytes at a time");
	stream->add_option("-w,--write-size", so.write_size, "bytes per write (64, 1024, 4096, 65536, 1048576, or any up to 64M)")
		->capture_default_str()->transform(CLI::AsSizeValue(false))
		->check(CLI::Range(size_t(1), kMaxWrite));
	stream->add_option("-n,--connections", so.conns, "parallel connections")
		->capture_default_str()->check(CLI::Range(1, 1024));
	auto *time_opt = stream->add_option("-t,--time", so.seconds, "seconds to send for")
		->capture_default_str()->check(CLI::Range(0.001, 86400.0));
	stream->add_option("-b,--bytes", so.bytes, "bytes to send instead, in total over the connections (K, M, G: powers of 1024)")
		->transform(CLI::AsSizeValue(false))->check(CLI::PositiveNumber)->excludes(time_opt);
	stream->add_option("--verify", verify, "what the server checks: stamp (8 bytes every 4 KiB), full (every byte), none")
		->capture_default_str()->check(CLI::IsMember({"stamp", "full", "none"}));

	PingpongOptions po;
	auto *pingpong = client->add_subcommand("pingpong", "round-trip latency of -s byte messages echoed by the server");
	pingpong->add_option("-s,--size", po.size, "message size (64, 4096, ...)")
		->capture_default_str()->transform(CLI::AsSizeValue(false))
		->check(CLI::Range(size_t(1), kMaxMessage));
	pingpong->add_option("-i,--iterations", po.iterations, "measured round trips")
		->capture_default_str()->check(CLI::PositiveNumber);
	pingpong->add_option("-W,--warmup", po.warmup, "round trips before measuring")
		->capture_default_str();
	pingpong->add_option("--busy-poll", po.busy_poll, "SO_BUSY_POLL usec, on the client's and the server's socket")
		->capture_default_str()->check(CLI::Range(0, 1000000));

	ConnrateOptions co;
	auto *connrate = client->add_subcommand("connrate", "connect, 1-byte echo, close: cycles per second");
	connrate->add_option("-c,--count", co.count, "cycles, in total over the threads")
		->capture_default_str()->check(CLI::PositiveNumber);
	connrate->add_option("-P,--parallel", co.threads, "threads")
		->capture_default_str()->check(CLI::Range(1, 1024));

	IdleOptions io;
	auto *idle = client->add_subcommand("idle", "hold -c connections open for -t seconds; prints 'idle holding N' meanwhile");
	idle->add_option("-c,--count", io.count, "connections")
		->capture_default_str()->check(CLI::PositiveNumber);
	idle->add_option("-t,--time", io.seconds, "seconds to hold them")
		->capture_default_str()->check(CLI::Range(0.0, 1e7));

	DgramOptions dop;
	auto *dgram = client->add_subcommand("dgram", "datagrams of -s bytes at full speed for -t seconds: rates sent and received, loss");
	dgram->add_option("-s,--size", dop.size, "datagram size, 16 to 65507")
		->capture_default_str()->transform(CLI::AsSizeValue(false))
		->check(CLI::Range(kDgramStamp, kMaxDatagram));
	dgram->add_option("-t,--time", dop.seconds, "seconds to send for")
		->capture_default_str()->check(CLI::Range(0.001, 86400.0));

	std::string eid;
	auto *ueid = app.add_subcommand("smc-ueid", "SMC's user EIDs (SMC-Rv2 runs between hosts sharing one): add, del, flush, show");
	ueid->require_subcommand(1);
	auto *ueid_add = ueid->add_subcommand("add", "add EID (an EID that exists is fine)");
	ueid_add->add_option("eid", eid, "up to 32 letters, digits, '.', '-'")->required();
	auto *ueid_del = ueid->add_subcommand("del", "remove EID");
	ueid_del->add_option("eid", eid, "the EID")->required();
	auto *ueid_flush = ueid->add_subcommand("flush", "remove every user EID");
	ueid->add_subcommand("show", "the user EIDs, one a line");
	app.add_subcommand("smc-lgr", "prints how many SMC-R link groups the host has");

	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		return app.exit(e) ? kExitSetup : kExitOk;
	}

	if (!server->parsed() && !client->parsed())
		return smc_command(ueid, ueid_add, ueid_del, ueid_flush, eid);

	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	const char *test = "server";
	try {
		Transport transport = Transport::named(common.family);
		Address addr = Address::resolve(common.address, common.port, server->parsed());
		milliseconds timeout(std::max<long long>(1, std::llround(common.timeout * 1000)));

		if (server->parsed()) {
			sopt.timeout = timeout;
			sopt.corrupt_every = corrupt_every;
			return Server(transport, addr, sopt).run();
		}

		Reporter out(json_out);
		Client cl{transport, addr, timeout, out};
		if (stream->parsed()) {
			test = "stream";
			so.verify = verify == "full" ? Verify::Full :
				    verify == "none" ? Verify::None : Verify::Stamp;
			test_stream(cl, so);
		} else if (pingpong->parsed()) {
			test = "pingpong";
			test_pingpong(cl, po);
		} else if (connrate->parsed()) {
			test = "connrate";
			test_connrate(cl, co);
		} else if (dgram->parsed()) {
			test = "dgram";
			test_dgram(cl, dop);
		} else {
			test = "idle";
			test_idle(cl, io);
		}
		return kExitOk;
	} catch (const SetupError &e) {
		log_line(e.what());
		return kExitSetup;
	} catch (const std::exception &e) {
		log_line(std::string(test) + ": " + e.what());
		return kExitFailure;
	}
}
