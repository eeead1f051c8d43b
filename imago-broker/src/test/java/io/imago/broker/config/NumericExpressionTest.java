package io.imago.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class NumericExpressionTest {

    @Test
    void evaluatesPlainNumbersAndMetaqStyleProducts() {
        assertThat(NumericExpression.evaluate("8123")).isEqualTo(8123);
        assertThat(NumericExpression.evaluate("1024*1024")).isEqualTo(1_048_576);
        assertThat(NumericExpression.evaluate("512 * 1024")).isEqualTo(524_288);
        assertThat(NumericExpression.evaluate("1024*1024*1024")).isEqualTo(1_073_741_824);
    }

    @Test
    void honoursPrecedenceAndParentheses() {
        assertThat(NumericExpression.evaluate("(1+2)*3")).isEqualTo(9);
        assertThat(NumericExpression.evaluate("1+2*3")).isEqualTo(7);
        assertThat(NumericExpression.evaluate("10-4-3")).isEqualTo(3);
        assertThat(NumericExpression.evaluate("100/7")).isEqualTo(14);
        assertThat(NumericExpression.evaluate("100%7")).isEqualTo(2);
        assertThat(NumericExpression.evaluate(" ( ( 2 ) ) ")).isEqualTo(2);
    }

    @Test
    void acceptsUnaryMinusAndPlus() {
        assertThat(NumericExpression.evaluate("-1")).isEqualTo(-1);
        assertThat(NumericExpression.evaluate("-(2*3)")).isEqualTo(-6);
        assertThat(NumericExpression.evaluate("+5")).isEqualTo(5);
        assertThat(NumericExpression.evaluate("3*-2")).isEqualTo(-6);
    }

    @Test
    void overflowIsAnError() {
        assertThatThrownBy(() -> NumericExpression.evaluate("9223372036854775807+1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("overflow");
        assertThatThrownBy(() -> NumericExpression.evaluate("1024*1024*1024*1024*1024*1024*1024"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("overflow");
        assertThatThrownBy(() -> NumericExpression.evaluate("99999999999999999999"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too large");
    }

    @Test
    void divisionByZeroIsAnError() {
        assertThatThrownBy(() -> NumericExpression.evaluate("1/0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("division by zero");
    }

    @Test
    void refusesAnythingButIntegerArithmetic() {
        for (String bad : new String[] {"abc", "1.5", "1e3", "2**3", "(1+2", "1+2)", "", "1 2", "0x10", "true", "1+"}) {
            assertThatThrownBy(() -> NumericExpression.evaluate(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not an integer expression");
        }
    }
}
