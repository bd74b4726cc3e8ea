package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.ExternalTool;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An issued server certificate, served by Netty from fullchain.pem and key.pem, passes openssl s_client. */
class IssuedCertificateServedByNettyTest {
  @TempDir Path dir;

  @Test
  void opensslAcceptsTheServedChainForTheName() throws Exception {
    ConfiguredCli cli = new ConfiguredCli(CaCommandsTest.config(dir, ""), dir.resolve("data"),
        Map.of("CERTKEEPER_CA_PASS", CaCommandsTest.PASS));
    assertEquals(0, cli.run("ca", "init", "--intermediate").code());
    assertEquals(0, cli.run("ca", "export-root", "--out", dir.resolve("root.pem").toString()).code());
    Path out = dir.resolve("tls");
    ConfiguredCli.Run issued = cli.run("issue", "--cn", "tls.test.example", "--san", "ip:127.0.0.1", "--out-dir",
        out.toString());
    assertEquals(0, issued.code(), issued.toString());

    SslContext ssl = SslContextBuilder.forServer(out.resolve("fullchain.pem").toFile(), out.resolve("key.pem").toFile())
        .build();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel server = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
            }
          })
          .bind("127.0.0.1", 0).sync().channel();
      int port = ((InetSocketAddress) server.localAddress()).getPort();
      ExternalTool.Result r = ExternalTool.run(dir, "openssl", "s_client", "-connect", "127.0.0.1:" + port,
          "-servername", "tls.test.example", "-verify_return_error", "-verify_hostname", "tls.test.example",
          "-CAfile", dir.resolve("root.pem").toString());
      assertTrue(r.ok(), r.output());
      assertTrue(r.output().contains("Verify return code: 0 (ok)"), r.output());
      ExternalTool.Result wrong = ExternalTool.run(dir, "openssl", "s_client", "-connect", "127.0.0.1:" + port,
          "-verify_return_error", "-verify_hostname", "other.test.example", "-CAfile", dir.resolve("root.pem").toString());
      assertTrue(!wrong.ok(), wrong.output());
      server.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
  }
}
