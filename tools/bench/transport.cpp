// SPDX-License-Identifier: GPL-2.0
#include "transport.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <linux/rdma_sock.h>

#include "common.hpp"

namespace rsk_bench {

namespace {

/* The kernel's net/smc.h names them; no header userspace has does. */
constexpr int kSmcProtoSmc = 0;		/* SMCPROTO_SMC: IPv4 */
constexpr int kSmcProtoSmc6 = 1;	/* SMCPROTO_SMC6 */

/* The number the loaded module registered (RDMA_SOCK_FAMILY_PATH). */
int rdma_family_in_use()
{
	const char *path = RDMA_SOCK_FAMILY_PATH;
	char text[32] = {};
	int fd = ::open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		throw SetupError(strprintf("-f rdma: cannot read %s: %s; is the rdma_sock module loaded? (insmod rdma_sock.ko, or modprobe rdma_sock)",
					   path, errno_text(errno).c_str()));
	ssize_t n = ::read(fd, text, sizeof(text) - 1);
	::close(fd);
	char *end = nullptr;
	long family = n > 0 ? strtol(text, &end, 10) : -1;
	if (n <= 0 || end == text || family <= 0 || family >= AF_MAX)
		throw SetupError(strprintf("-f rdma: %s holds no family number", path));
	return static_cast<int>(family);
}

} /* namespace */

Transport Transport::named(const std::string &name)
{
	if (name == "tcp" || name == "udp")
		return Transport(name, Kind::Ip, -1);
	if (name == "rdma")
		return Transport("rdma", Kind::Rdma, rdma_family_in_use());
	if (name == "smc")
		return Transport("smc", Kind::Smc, -1);
	if (name == "rsockets") {
		/* librspreload links librdmacm, which defines rsocket(). */
		if (!dlsym(RTLD_DEFAULT, "rsocket"))
			throw SetupError("-f rsockets: run under LD_PRELOAD=librspreload.so (librdmacm1: /usr/lib/x86_64-linux-gnu/rsocket/librspreload.so)");
		return Transport("rsockets", Kind::Rsockets, -1);
	}
	throw SetupError("unknown family '" + name + "' (rdma, tcp, udp, smc, rsockets)");
}

Socket Transport::open(const Address &addr, int type) const
{
	int domain = addr.ip_family(), protocol = 0;

	if (kind_ == Kind::Rdma)
		domain = rdma_family_;
	if (kind_ == Kind::Smc) {
		if (type != SOCK_STREAM)
			throw TestError("SMC has no datagram sockets");
		protocol = addr.ip_family() == AF_INET6 ? kSmcProtoSmc6 : kSmcProtoSmc;
		domain = AF_SMC;
	}
	/* rsocket() takes no type flags: with SOCK_CLOEXEC the preload
	 * library quietly hands out a TCP socket instead. */
	int flags = kind_ == Kind::Rsockets ? 0 : SOCK_CLOEXEC;
	int fd = ::socket(domain, type | flags, protocol);

	if (fd < 0) {
		int err = errno;
		throw TestError(strprintf("socket(%d, %s): %s%s", domain,
					  type == SOCK_STREAM ? "SOCK_STREAM" : "SOCK_DGRAM",
					  errno_text(err).c_str(),
					  err != EAFNOSUPPORT ? "" :
					  is_rdma() ? "; is rdma_sock still loaded?" :
					  kind_ == Kind::Smc ? "; modprobe smc" : ""));
	}
	return Socket(fd);
}

} /* namespace rsk_bench */
